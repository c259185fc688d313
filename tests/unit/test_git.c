/*
 * test_git.c - src/git: the ref-update parsers (pure), added-line range sets, and the staged, range
 * and history sources plus provenance on small repositories built with the git CLI in a temp
 * directory. Sources are drained directly (no engine), so what is checked is exactly which blobs
 * and which added lines a source hands on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "git/git.h"
#include "git/git_internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

static char g_dir[256];

/* Runs a shell command inside the fixture directory; fails the test on a non-zero status. */
static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char cmd[4096], full[4400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    snprintf(full, sizeof(full), "cd '%s' && { %s ; } >/dev/null 2>&1", g_dir, cmd);
    if (system(full) != 0)
        fail_msg("fixture command failed: %s", cmd);
}

static int setup_repo(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof(g_dir), "%s/lh-test-git.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(g_dir) == NULL)
        return -1;
    sh("git init -q -b main . && git config user.name T && git config user.email t@example.com");
    return 0;
}

static int teardown_repo(void **state)
{
    char cmd[512];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* One drained chunk, summarised: "path|r" with r "*" (every line) or "a-b,c-d". */
static void drain(struct lh_source *src, struct lh_buf *out)
{
    struct lh_chunk c;
    int rc;

    while ((rc = src->ops->next(src, 0, &c)) == 0) {
        size_t i;
        lh_buf_addf(out, "%s|", c.path);
        if (c.added == NULL)
            lh_buf_adds(out, "*");
        for (i = 0; c.added && i < c.n_added; i++)
            lh_buf_addf(out, "%s%u-%u", i ? "," : "", c.added[i].first, c.added[i].last);
        lh_buf_adds(out, ";");
        src->ops->release(src, 0, &c);
    }
    assert_int_equal(rc, LH_ITEROVER);
}

static struct lh_git_repo *open_fixture(unsigned flags)
{
    struct lh_git_repo *r = NULL;
    assert_int_equal(lh_git_repo_open(&r, g_dir, flags), 0);
    return r;
}

/* ---- parsers ----------------------------------------------------------------------------- */

static void test_parse_ref_updates(void **state)
{
    struct lh_git_ref_updates u = {0};
    char in[1024];
    const char *z40 = "0000000000000000000000000000000000000000";
    const char *a40 = "1111111111111111111111111111111111111111";
    const char *z64 = "0000000000000000000000000000000000000000000000000000000000000000";
    const char *b64 = "ABCDEFabcdef0123456789abcdef0123456789abcdef0123456789abcdef0123";
    (void)state;

    snprintf(in, sizeof(in), "%s %s refs/heads/main\n\n%s %s refs/tags/v1\r\n%s %s refs/heads/x",
             z40, a40, a40, z40, b64, z64);
    assert_int_equal(lh_git_parse_ref_updates(&u, in, strlen(in), 0), 0);
    assert_int_equal(u.len, 3);
    assert_string_equal(u.items[0].ref, "refs/heads/main");
    assert_string_equal(u.items[0].new_id, a40);
    assert_true(lh_git_is_zero_id(u.items[0].old_id, strlen(u.items[0].old_id)));
    assert_string_equal(u.items[1].ref, "refs/tags/v1");
    assert_true(lh_git_is_zero_id(u.items[1].new_id, 40));
    assert_string_equal(u.items[2].ref, "refs/heads/x");
    assert_int_equal(strlen(u.items[2].old_id), 64);
    assert_int_equal(u.items[2].old_id[0], 'a'); /* lowercased */
    assert_true(lh_git_is_zero_id(u.items[2].new_id, 64));
    assert_null(u.items[0].local_ref);
    lh_git_ref_updates_release(&u);

    /* malformed: too few fields, short id, extra field, mixed id lengths, control character */
    assert_int_equal(lh_git_parse_ref_updates(&u, "abc def\n", 8, 0), LH_EINVALID);
    lh_git_ref_updates_release(&u);
    snprintf(in, sizeof(in), "%s 1234 refs/heads/main\n", z40);
    assert_int_equal(lh_git_parse_ref_updates(&u, in, strlen(in), 0), LH_EINVALID);
    lh_git_ref_updates_release(&u);
    snprintf(in, sizeof(in), "%s %s refs/heads/main extra\n", z40, a40);
    assert_int_equal(lh_git_parse_ref_updates(&u, in, strlen(in), 0), LH_EINVALID);
    lh_git_ref_updates_release(&u);
    snprintf(in, sizeof(in), "%s %s refs/heads/main\n", z40, b64);
    assert_int_equal(lh_git_parse_ref_updates(&u, in, strlen(in), 0), LH_EINVALID);
    lh_git_ref_updates_release(&u);
    snprintf(in, sizeof(in), "%s %s refs/heads/a\033[2J\n", z40, a40);
    assert_int_equal(lh_git_parse_ref_updates(&u, in, strlen(in), 0), LH_EINVALID);
    lh_git_ref_updates_release(&u);
    /* the line cap */
    snprintf(in, sizeof(in), "%s %s refs/heads/a\n%s %s refs/heads/b\n", z40, a40, z40, a40);
    assert_int_equal(lh_git_parse_ref_updates(&u, in, strlen(in), 1), LH_ELIMIT);
    assert_int_equal(u.len, 1);
    lh_git_ref_updates_release(&u);
    /* empty input is no update */
    assert_int_equal(lh_git_parse_ref_updates(&u, "", 0, 0), 0);
    assert_int_equal(u.len, 0);
}

static void test_parse_push_updates(void **state)
{
    struct lh_git_ref_updates u = {0};
    char in[512];
    const char *z40 = "0000000000000000000000000000000000000000";
    const char *a40 = "1111111111111111111111111111111111111111";
    (void)state;

    snprintf(in, sizeof(in), "refs/heads/main %s refs/heads/main %s\n(delete) %s refs/heads/old %s\n",
             a40, z40, z40, a40);
    assert_int_equal(lh_git_parse_push_updates(&u, in, strlen(in), 0), 0);
    assert_int_equal(u.len, 2);
    assert_string_equal(u.items[0].local_ref, "refs/heads/main");
    assert_string_equal(u.items[0].new_id, a40);
    assert_string_equal(u.items[0].old_id, z40);
    assert_string_equal(u.items[1].local_ref, "(delete)");
    assert_true(lh_git_is_zero_id(u.items[1].new_id, 40));
    lh_git_ref_updates_release(&u);
    /* a pre-receive line is not a pre-push line */
    snprintf(in, sizeof(in), "%s %s refs/heads/main\n", z40, a40);
    assert_int_equal(lh_git_parse_push_updates(&u, in, strlen(in), 0), LH_EINVALID);
    lh_git_ref_updates_release(&u);
}

static void test_ids(void **state)
{
    (void)state;
    assert_true(lh_git_is_zero_id("0000000000000000000000000000000000000000", 40));
    assert_false(lh_git_is_zero_id("0000000000000000000000000000000000000001", 40));
    assert_false(lh_git_is_zero_id("000000000000000000000000000000000000000", 39));
    assert_true(lh_git_is_hex_id("deadbeefdeadbeefdeadbeefdeadbeefdeadbeef", 40));
    assert_false(lh_git_is_hex_id("deadbeefdeadbeefdeadbeefdeadbeefdeadbeeg", 40));
}

static void test_ranges(void **state)
{
    struct lh_ranges a = {0}, b = {0};
    (void)state;

    assert_int_equal(lh_ranges_add(&a, 1, 3), 0);
    assert_int_equal(lh_ranges_add(&a, 4, 5), 0); /* touching: merged */
    assert_int_equal(lh_ranges_add(&a, 9, 12), 0);
    assert_int_equal(a.n, 2);
    assert_int_equal(a.v[0].last, 5);
    assert_int_equal(lh_ranges_add(&b, 2, 2), 0);
    assert_int_equal(lh_ranges_add(&b, 5, 10), 0);
    lh_ranges_intersect(&a, &b);
    assert_int_equal(a.n, 3);
    assert_int_equal(a.v[0].first, 2);
    assert_int_equal(a.v[0].last, 2);
    assert_int_equal(a.v[1].first, 5);
    assert_int_equal(a.v[1].last, 5);
    assert_int_equal(a.v[2].first, 9);
    assert_int_equal(a.v[2].last, 10);
    lh_ranges_release(&b);
    lh_ranges_intersect(&a, &b); /* with nothing: nothing */
    assert_int_equal(a.n, 0);
    lh_ranges_release(&a);
}

/* ---- sources ----------------------------------------------------------------------------- */

static void test_staged(void **state)
{
    struct lh_git_repo *r;
    struct lh_source *src = NULL;
    struct lh_buf out;
    (void)state;

    /* unborn HEAD: everything staged is new */
    sh("printf 'one\\ntwo\\n' > a.txt && git add a.txt");
    r = open_fixture(0);
    assert_int_equal(lh_git_staged_source_new(&src, r, NULL), 0);
    lh_buf_init(&out, 1 << 16);
    drain(src, &out);
    assert_string_equal(out.ptr, "a.txt|*;");
    src->ops->free(src);
    lh_git_repo_free(r);

    /* modified (index differs from the work tree: the index wins), added, deleted, intent-to-add,
     * a change that only deletes lines */
    sh("printf 'x\\ny\\nz\\n' > d.txt && printf 'keep\\n1\\n2\\n' > e.txt && git add . && git commit -qm c1");
    sh("printf 'one\\nNEW\\ntwo\\n' > a.txt && git add a.txt && printf 'one\\nWORKTREE\\n' > a.txt");
    sh("printf 'b\\n' > b.txt && git add b.txt && git rm -q d.txt && printf 'later\\n' > f.txt && git add -N f.txt");
    sh("printf 'keep\\n' > e.txt && git add e.txt");
    r = open_fixture(0);
    assert_int_equal(lh_git_staged_source_new(&src, r, NULL), 0);
    lh_buf_reset(&out);
    drain(src, &out);
    assert_string_equal(out.ptr, "a.txt|2-2;b.txt|*;");
    assert_int_equal(lh_git_staged_conflicts(src, NULL), 0);
    src->ops->free(src);
    lh_git_repo_free(r);
    lh_buf_release(&out);
}

/* range := inc[0] --not exc[0]; so: defaults without messages (only blobs are drained). */
static void one_range(struct lh_git_range *range, const char **inc, const char **exc,
                      struct lh_git_source_opts *so)
{
    memset(range, 0, sizeof(*range));
    range->include = inc;
    range->n_include = 1;
    range->exclude = exc;
    range->n_exclude = 1;
    memset(so, 0, sizeof(*so));
    so->no_messages = true;
}

static void test_range_and_merge(void **state)
{
    struct lh_git_repo *r;
    struct lh_source *src = NULL;
    struct lh_buf out;
    struct lh_git_range range;
    struct lh_git_source_opts so;
    const char *inc[1] = {"HEAD"}, *exc[1] = {"base"};
    (void)state;

    sh("git add -A && git commit -qm staged-state && git tag base");
    sh("git checkout -qb side && printf 'side1\\nside2\\n' > s.txt && git add s.txt && git commit -qm side");
    sh("git checkout -q main && printf 'm\\n' > m.txt && git add m.txt && git commit -qm main2");
    /* an evil merge: the merge result adds a line that neither parent has */
    sh("git merge -q --no-commit side; printf 'side1\\nEVIL\\nside2\\n' > s.txt && git add s.txt && git commit -qm merge");
    one_range(&range, inc, exc, &so);
    r = open_fixture(0);
    assert_int_equal(lh_git_range_source_new(&src, r, &range, &so), 0);
    assert_int_equal(lh_git_range_source_commits(src), 3);
    lh_buf_init(&out, 1 << 16);
    drain(src, &out);
    /* topological, parents first: side (or main2) then the merge; the merge yields only line 2 */
    assert_non_null(strstr(out.ptr, "s.txt|*;"));
    assert_non_null(strstr(out.ptr, "m.txt|*;"));
    assert_non_null(strstr(out.ptr, "s.txt|2-2;"));
    assert_int_equal(strlen(out.ptr), strlen("s.txt|*;m.txt|*;s.txt|2-2;"));
    src->ops->free(src);

    /* max_bytes: reading past it fails next() with LH_ELIMIT (the blobs here are ~10 bytes) */
    so.max_bytes = 12;
    assert_int_equal(lh_git_range_source_new(&src, r, &range, &so), 0);
    {
        struct lh_chunk c;
        int rc;
        while ((rc = src->ops->next(src, 0, &c)) == 0)
            src->ops->release(src, 0, &c);
        assert_int_equal(rc, LH_ELIMIT);
        assert_non_null(strstr(lh_error_last(), "more than 12 bytes"));
    }
    src->ops->free(src);
    so.max_bytes = 0;

    /* max_commits is a limit, not a truncation */
    so.max_commits = 2;
    assert_int_equal(lh_git_range_source_new(&src, r, &range, &so), LH_ELIMIT);
    assert_null(src);
    /* an unknown exclude is named */
    exc[0] = "no-such-rev";
    so.max_commits = 0;
    assert_int_equal(lh_git_range_source_new(&src, r, &range, &so), LH_ENOTFOUND);
    assert_non_null(strstr(lh_error_last(), "no-such-rev"));
    lh_git_repo_free(r);
    lh_buf_release(&out);
}

static int g_skips[LH_SKIP__COUNT];

static void count_skip(void *payload, const char *path, enum lh_skip_reason why)
{
    (void)payload;
    (void)path;
    g_skips[why]++;
}

/* Drains HEAD --not HEAD~1 (no messages) into out, counting skips in g_skips. */
static void drain_last_commit(struct lh_buf *out)
{
    struct lh_git_repo *r = open_fixture(0);
    struct lh_source *src = NULL;
    struct lh_git_range range;
    struct lh_git_source_opts so;
    const char *inc[1] = {"HEAD"}, *exc[1] = {"HEAD~1"};

    one_range(&range, inc, exc, &so);
    memset(g_skips, 0, sizeof(g_skips));
    assert_int_equal(lh_git_range_source_new(&src, r, &range, &so), 0);
    src->on_skip = count_skip;
    lh_buf_reset(out);
    drain(src, out);
    if (out->ptr == NULL)
        lh_buf_adds(out, "");
    src->ops->free(src);
    lh_git_repo_free(r);
}

/* Runs the fixture command cmd (which commits), then checks what the last commit yields. */
static void commit_yields(struct lh_buf *out, const char *cmd, const char *want)
{
    sh("%s", cmd);
    drain_last_commit(out);
    assert_string_equal(out->ptr, want);
}

/* The range source's own tree diff: unchanged subtrees are never opened, so these cases check that
 * what it yields is still exactly what a full diff would: nested edits, new directories, exact
 * renames of files and directories (nothing), a renamed directory with one edited file (that file
 * whole), copies (whole), type changes, a mode change (nothing). */
static void test_range_tree_diff(void **state)
{
    struct lh_buf out;
    (void)state;

    lh_buf_init(&out, 1 << 16);
    sh("mkdir -p a/b/c a/q && for i in 1 2 3; do printf 'f%%s\\nline\\n' $i > a/b/c/f$i.txt; done && "
       "printf 'q\\n' > a/q/q.txt && printf 'top\\n' > t && git add -A && git commit -qm tree-base");
    commit_yields(&out, "printf 'added\\n' >> a/b/c/f2.txt && mkdir -p n/m && printf 'x\\n' > n/m/x.txt && "
                        "git add -A && git commit -qm nested",
                  "a/b/c/f2.txt|3-3;n/m/x.txt|*;");
    commit_yields(&out, "git mv a/b/c moved && git commit -qm dir-rename", "");
    commit_yields(&out, "git mv moved d2 && printf 'edit\\n' >> d2/f1.txt && git add -A && "
                        "git commit -qm dir-rename-edit",
                  "d2/f1.txt|*;");
    commit_yields(&out, "cp a/q/q.txt copy.txt && git add copy.txt && git commit -qm copy", "copy.txt|*;");
    /* a file becomes a symlink and its content moves to a new file: a rename, and a counted skip */
    commit_yields(&out, "mv d2/f3.txt f3-moved.txt && ln -s f3-moved.txt d2/f3.txt && git add -A && "
                        "git commit -qm typechange",
                  "");
    assert_int_equal(g_skips[LH_SKIP_SYMLINK], 1);
    commit_yields(&out, "chmod +x copy.txt && git add copy.txt && git commit -qm mode", "");
    /* a file replaced by a directory of the same name, and the reverse (git orders "n" < "t/") */
    commit_yields(&out, "git rm -q t && mkdir t && printf 'inner\\n' > t/inner.txt && git rm -rq n && "
                        "printf 'nn\\n' > n && git add -A && git commit -qm file-dir-swap",
                  "n|*;t/inner.txt|*;");
    lh_buf_release(&out);
}

static void test_history_and_provenance(void **state)
{
    struct lh_git_repo *r;
    struct lh_source *src = NULL;
    struct lh_git_source_opts so;
    struct lh_git_origin *o = NULL;
    struct lh_chunk c;
    char blob[LH_GIT_HEX_BUF] = "", commit[64] = "";
    const char *ids[1];
    int rc, n_del = 0, n_total = 0;
    FILE *p;
    char cmd[512];
    (void)state;

    /* a blob that only ever lived in a deleted file, on a branch, plus a tag */
    sh("printf 'gone\\n' > gone.txt && git add gone.txt && git commit -qm add-gone && git rm -q gone.txt && git commit -qm rm-gone");
    sh("git tag -a v1 -m 'tag message'");
    snprintf(cmd, sizeof(cmd), "cd '%s' && git rev-parse HEAD~1:gone.txt HEAD~1", g_dir);
    p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(blob, sizeof(blob), p));
    assert_non_null(fgets(commit, sizeof(commit), p));
    pclose(p);
    blob[40] = '\0';
    commit[40] = '\0';
    sh("git gc -q");
    r = open_fixture(0);
    memset(&so, 0, sizeof(so));
    assert_int_equal(lh_git_history_source_new(&src, r, &so), 0);
    while ((rc = src->ops->next(src, 0, &c)) == 0) {
        n_total++;
        if (c.blob_id && strcmp(c.blob_id, blob) == 0) {
            n_del++;
            assert_string_equal(c.path, "gone.txt");
            assert_null(c.added);
        }
        src->ops->release(src, 0, &c);
    }
    assert_int_equal(rc, LH_ITEROVER);
    assert_int_equal(n_del, 1); /* each unique blob once */
    assert_true(n_total > 5);

    /* answered by the live history source (its walk order), then by the commit walk: the same */
    ids[0] = blob;
    for (rc = 0; rc < 2; rc++) {
        assert_int_equal(lh_git_provenance(&o, r, ids, 1), 0);
        assert_non_null(o[0].commit);
        assert_string_equal(o[0].commit, commit);
        assert_string_equal(o[0].path, "gone.txt");
        assert_string_equal(o[0].author_email, "t@example.com");
        lh_git_origins_free(o, 1);
        if (src)
            src->ops->free(src);
        src = NULL;
    }
    lh_git_repo_free(r);
}

/* The history source's own pack reader (pack.c) against git: every blob of a history packed with
 * deep delta chains, then with REF_DELTA (left to libgit2), then split over packs and loose
 * objects, must come out byte for byte as `git cat-file blob` prints it. */
static void check_history_content(void)
{
    struct lh_git_repo *r;
    struct lh_source *src = NULL;
    struct lh_git_source_opts so;
    struct lh_chunk c;
    int rc, n_blobs = 0;

    r = open_fixture(0);
    memset(&so, 0, sizeof(so));
    so.workers = 1;
    assert_int_equal(lh_git_history_source_new(&src, r, &so), 0);
    while ((rc = src->ops->next(src, 0, &c)) == 0) {
        if (c.blob_id) {
            char cmd[512];
            unsigned char *want = malloc(c.len + 2);
            size_t got;
            FILE *p;
            snprintf(cmd, sizeof(cmd), "cd '%s' && git cat-file blob %s", g_dir, c.blob_id);
            p = popen(cmd, "r");
            assert_non_null(p);
            assert_non_null(want);
            got = fread(want, 1, c.len + 1, p);
            pclose(p);
            assert_int_equal(got, c.len);
            assert_memory_equal(want, c.data, c.len);
            free(want);
            n_blobs++;
        }
        src->ops->release(src, 0, &c);
    }
    assert_int_equal(rc, LH_ITEROVER);
    assert_true(n_blobs >= 40);
    src->ops->free(src);
    lh_git_repo_free(r);
}

static void test_history_pack_reader(void **state)
{
    int i;
    (void)state;

    /* a file that grows a little each commit, plus one that is rewritten: delta material */
    for (i = 0; i < 40; i++)
        sh("seq 1 %d | sed 's/^/line number &: some text that deltas well against the last/' > grow.txt && "
           "printf 'v%d\\n%%s\\n' \"$(seq %d %d)\" > small.txt && git add grow.txt small.txt && "
           "git commit -qm 'step %d'", 20 + i * 7, i, i, i + 3, i);
    sh("git repack -q -adf --depth=50 --window=50");
    check_history_content();
    sh("git -c pack.useDeltaBaseOffset=false repack -q -adf --depth=50 --window=50");
    check_history_content();
    sh("git repack -q -adf && printf 'x\\n' >> grow.txt && git commit -qam more && git repack -q -d && "
       "printf 'y\\n' >> grow.txt && git commit -qam loose");
    check_history_content();
}

/* Drains the staged source into out ("path|ranges;" and then "!conflict;" per conflicted path),
 * reading the index itself or (slow) through libgit2's diff. */
static void drain_staged(struct lh_buf *out, bool slow, unsigned flags)
{
    struct lh_git_repo *r = open_fixture(flags);
    struct lh_source *src = NULL;
    const char *const *conf;
    size_t n, i;

    lh_git__staged_no_fast = slow;
    if (lh_git_staged_source_new(&src, r, NULL) != 0)
        fail_msg("%s staged source: %s", slow ? "libgit2" : "fast", lh_error_last());
    lh_git__staged_no_fast = false;
    lh_buf_reset(out);
    drain(src, out);
    n = lh_git_staged_conflicts(src, &conf);
    for (i = 0; i < n; i++)
        lh_buf_addf(out, "!%s;", conf[i]);
    if (out->ptr == NULL)
        lh_buf_adds(out, "");
    src->ops->free(src);
    lh_git_repo_free(r);
}

/* The staged state must list the same as libgit2's HEAD-to-index diff, and be want. */
static void staged_is(const char *want, unsigned flags)
{
    struct lh_buf fast, slow;

    lh_buf_init(&fast, 1 << 20);
    lh_buf_init(&slow, 1 << 20);
    drain_staged(&fast, false, flags);
    drain_staged(&slow, true, flags);
    assert_string_equal(fast.ptr, slow.ptr);
    assert_string_equal(fast.ptr, want);
    lh_buf_release(&fast);
    lh_buf_release(&slow);
}

/* The staged source reads the index file itself (v2, v3, v4) and skips what its cache tree shows
 * unchanged; these states must give exactly what libgit2's diff gives: nested edits, new and
 * deleted files, a file turned symlink, a mode change, intent-to-add, a change that only deletes,
 * conflicts, a split index (left to libgit2), $GIT_INDEX_FILE. */
static void test_staged_index_reader(void **state)
{
    (void)state;

    sh("git reset -q --hard && git clean -qfdx && mkdir -p ix/a/b ix/c && "
       "for i in 1 2 3 4; do printf 'one\\ntwo\\nthree\\n' > ix/a/b/f$i.txt; printf 'c%%s\\n' $i > ix/c/g$i.txt; done && "
       "mkdir -p ix/keep/deep && printf 'k\\n' > ix/keep/deep/k.txt && git add -A && git commit -qm ix-base");
    staged_is("", 0);
    sh("printf 'new\\n' >> ix/a/b/f2.txt && printf 'one\\nthree\\n' > ix/a/b/f3.txt && git rm -q ix/c/g1.txt && "
       "printf 'x\\n' > ix/a/new.txt && rm ix/c/g2.txt && ln -s g3.txt ix/c/g2.txt && chmod +x ix/c/g4.txt && "
       "git add -A && printf 'later\\n' > ix/later.txt && git add -N ix/later.txt && "
       "git update-index --chmod=+x ix/c/g4.txt");
    staged_is("ix/a/b/f2.txt|4-4;ix/a/new.txt|*;", 0);
    sh("git update-index --index-version 4");
    staged_is("ix/a/b/f2.txt|4-4;ix/a/new.txt|*;", 0);
    /* a split index: neither reader takes it (libgit2 1.5 refuses the 'link' extension), and
     * that is an error, never an empty list */
    sh("git update-index --index-version 2 && git update-index --split-index");
    {
        struct lh_git_repo *r = open_fixture(0);
        struct lh_source *src = NULL;
        assert_int_equal(lh_git_staged_source_new(&src, r, NULL), LH_EGIT);
        assert_non_null(strstr(lh_error_last(), "link"));
        lh_git_repo_free(r);
    }
    sh("git update-index --no-split-index && git rm -q --cached ix/later.txt && rm ix/later.txt && "
       "git commit -qm ix-2");
    /* a temporary index, as `git commit -a` makes: only what it holds counts */
    sh("cp .git/index ix-alt && printf 'alt\\n' > ix/c/alt.txt && GIT_INDEX_FILE=ix-alt git add ix/c/alt.txt");
    setenv("GIT_INDEX_FILE", "ix-alt", 1);
    assert_int_equal(chdir(g_dir), 0);
    staged_is("ix/c/alt.txt|*;", LH_GIT_OPEN_FROM_ENV);
    unsetenv("GIT_INDEX_FILE");
    staged_is("", LH_GIT_OPEN_FROM_ENV);
    sh("rm -f ix-alt ix/c/alt.txt");
    /* a conflict: listed, not scanned; the other staged file is */
    sh("git checkout -qb ix-side && printf 'side\\n' > ix/c/g3.txt && git commit -qam side && "
       "git checkout -q main && printf 'main\\n' > ix/c/g3.txt && git commit -qam main-edit && "
       "{ git merge -q ix-side || true; } && printf 'more\\n' >> ix/a/new.txt && git add ix/a/new.txt");
    staged_is("ix/a/new.txt|2-2;!ix/c/g3.txt;", 0);
    sh("git merge --abort");
}

int main(void)
{
    const struct CMUnitTest parsers[] = {
        cmocka_unit_test(test_parse_ref_updates),
        cmocka_unit_test(test_parse_push_updates),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_ranges),
    };
    /* order matters: each builds on the repository the previous left */
    const struct CMUnitTest repo[] = {
        cmocka_unit_test(test_staged),
        cmocka_unit_test(test_range_and_merge),
        cmocka_unit_test(test_range_tree_diff),
        cmocka_unit_test(test_history_and_provenance),
        cmocka_unit_test(test_history_pack_reader),
        cmocka_unit_test(test_staged_index_reader),
    };
    int fails;

    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
    unsetenv("GIT_DIR");
    unsetenv("GIT_INDEX_FILE");
    git_libgit2_init();
    lh_git_init();
    fails = cmocka_run_group_tests_name("git parsers", parsers, NULL, NULL);
    fails += cmocka_run_group_tests_name("git sources", repo, setup_repo, teardown_repo);
    git_libgit2_shutdown();
    return fails;
}
