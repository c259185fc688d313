/*
 * fs.h - sources over the file system and standard input.
 *
 * lh_fs_source_new walks the given paths (files or directories, recursively; ".git" directories are
 * skipped; symbolic links inside a walk are not followed and are counted as skipped; paths named on
 * the command line are followed) and yields one chunk per regular file, in sorted path order. Binary
 * files (a NUL in the first 8000 bytes) and files over max_size are skipped and counted through the
 * source's on_skip callback (opts->on_skip, installed before the walk). Each worker reads into its
 * own buffer.
 *
 * lh_stdin_source_new reads a stream to its end (at most max_size bytes; more is an error) and
 * yields it as one chunk named `name`.
 *
 * Ownership: the caller frees a source with src->ops->free(src). 
 */
#ifndef LH_FS_FS_H
#define LH_FS_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/chunk.h"

struct lh_fs_opts {
    uint64_t max_size;  /* 0: LH_DEFAULT_MAX_FILE_SIZE */
    bool scan_binary;   /* scan binary files too */
    unsigned workers;   /* worker indexes next() will see (>= 1) */
    lh_skip_cb on_skip; /* skips found during the walk are reported through this too */
    void *skip_payload;
};

/* Walks paths[0..n). A path that does not exist is LH_ENOTFOUND naming it. */
int lh_fs_source_new(struct lh_source **out, const char *const *paths, size_t n,
                     const struct lh_fs_opts *opts);
/* Number of files the walk found (before skips). */
size_t lh_fs_source_count(const struct lh_source *src);

int lh_stdin_source_new(struct lh_source **out, FILE *in, const char *name, uint64_t max_size);

#endif
