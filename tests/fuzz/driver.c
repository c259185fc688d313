/*
 * driver.c - a standalone replacement for libFuzzer's main(): replays every file named on the
 * command line, and every file under every directory named (recursively, in sorted order), once
 * through the target's LLVMFuzzerTestOneInput. Used when the targets are not built with
 * -fsanitize=fuzzer, so that the committed corpora replay under ctest with any compiler (and under
 * ASan/UBSan when the build is sanitized).
 *
 * Each input is copied into a heap buffer of exactly its size, so a read one byte past the end is
 * an ASan report, as it would be under libFuzzer. A target that returns non-zero, or an argument
 * that cannot be read, fails the run; so does a run that found no input at all (an empty corpus
 * would otherwise pass without testing anything).
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static unsigned long n_inputs;

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    long size;
    int rc = -1;

    if (f == NULL) {
        fprintf(stderr, "driver: cannot open %s\n", path);
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "driver: cannot size %s\n", path);
        goto out;
    }
    /* malloc(0) may return NULL; keep a distinct allocation for empty inputs anyway. */
    data = malloc(size ? (size_t)size : 1);
    if (data == NULL) {
        fprintf(stderr, "driver: out of memory for %s\n", path);
        goto out;
    }
    if (size && fread(data, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "driver: short read on %s\n", path);
        goto out;
    }
    if (LLVMFuzzerTestOneInput(data, (size_t)size) != 0) {
        fprintf(stderr, "driver: target returned non-zero on %s\n", path);
        goto out;
    }
    n_inputs++;
    rc = 0;
out:
    free(data);
    fclose(f);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path, unsigned depth);

static int run_dir(const char *path, unsigned depth)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int rc = 0;

    if (d == NULL) {
        fprintf(stderr, "driver: cannot open directory %s\n", path);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') /* ".", "..", and dot files such as .gitkeep */
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **nn = realloc(names, ncap * sizeof(*names));
            if (nn == NULL) {
                rc = -1;
                goto out;
            }
            names = nn;
            cap = ncap;
        }
        names[n] = strdup(e->d_name);
        if (names[n] == NULL) {
            rc = -1;
            goto out;
        }
        n++;
    }
    if (n)
        qsort(names, n, sizeof(*names), cmp_names);
    for (i = 0; i < n && rc == 0; i++) {
        size_t len = strlen(path) + strlen(names[i]) + 2;
        char *child = malloc(len);

        if (child == NULL) {
            rc = -1;
            break;
        }
        snprintf(child, len, "%s/%s", path, names[i]);
        rc = run_path(child, depth + 1);
        free(child);
    }
out:
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

static int run_path(const char *path, unsigned depth)
{
    struct stat st;

    if (stat(path, &st) != 0) {
        fprintf(stderr, "driver: cannot stat %s\n", path);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        if (depth > 16) /* corpora are flat; a deeper tree is a symlink loop */
            return 0;
        return run_dir(path, depth);
    }
    return run_file(path);
}

int main(int argc, char **argv)
{
    int i;

    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    for (i = 1; i < argc; i++) {
        if (argv[i][0] == '-') /* libFuzzer flags such as -runs=0 are accepted and ignored */
            continue;
        if (run_path(argv[i], 0) != 0)
            return 1;
    }
    if (n_inputs == 0) {
        fprintf(stderr, "driver: no inputs\n");
        return 1;
    }
    printf("driver: %lu inputs replayed\n", n_inputs);
    return 0;
}
