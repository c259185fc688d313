/*
 * git_internal.h - what the files of src/git share and nobody else sees: the repository wrapper,
 * an object-id hash map, added-line range sets, and small libgit2 helpers. Includes git2.h, so it
 * must never be included outside src/git.
 */
#ifndef LH_GIT_INTERNAL_H
#define LH_GIT_INTERNAL_H

#include <git2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "git/git.h"
#include "util/chunk.h"

struct lh_git_repo {
    git_repository *repo;
    char *open_path; /* what was opened, to open one more handle per worker the same way */
    unsigned flags;
    char *gitdir;
    char *workdir;
    struct lh_hist_src *history; /* the live history source, which knows each blob's origin */
};

/* Opens one more handle on the same repository (the same path, flags and environment). */
int lh_git__reopen(const struct lh_git_repo *r, git_repository **out);

/* Wraps libgit2's last error into ours: "what: libgit2's message". Returns code. */
int lh_git__error(int code, const char *what);

/* ISO 8601 UTC of a signature's time into out (21 bytes: "2005-04-07T22:13:13Z"). */
void lh_git__iso8601(char out[32], const git_time *t);

/* Open-addressing map from object id to a size_t. Not thread-safe. Keys are never removed. Each
 * slot holds its key, a used flag and its value side by side, so a probe touches one cache line. */
struct lh_oidmap_slot {
    git_oid key;
    uint32_t used;
    size_t val;
};

struct lh_oidmap {
    struct lh_oidmap_slot *slots;
    size_t cap; /* a power of two, or 0 */
    size_t len;
};

void lh_oidmap_init(struct lh_oidmap *m);
void lh_oidmap_release(struct lh_oidmap *m);
/* Inserts id -> val unless present. *added tells which; *slot_val (may be NULL) receives the value
 * now stored. Returns 0 or LH_ENOMEM. */
int lh_oidmap_put(struct lh_oidmap *m, const git_oid *id, size_t val, bool *added, size_t *slot_val);
bool lh_oidmap_get(const struct lh_oidmap *m, const git_oid *id, size_t *val);
/* A pointer to the stored value for id, or NULL; stays valid until the next put. */
size_t *lh_oidmap_ref(const struct lh_oidmap *m, const git_oid *id);

/* A growable, sorted, disjoint list of added line ranges. */
struct lh_ranges {
    struct lh_line_range *v;
    size_t n;
    size_t cap;
};

void lh_ranges_release(struct lh_ranges *r);
/* Appends [first, last]; merges with the last range when they touch. Ranges must be appended in
 * increasing order (diff hunks come that way). */
int lh_ranges_add(struct lh_ranges *r, uint32_t first, uint32_t last);
/* r := r ∩ other. */
void lh_ranges_intersect(struct lh_ranges *r, const struct lh_ranges *other);

/* The hunk callback for git_diff_foreach / git_diff_blobs that appends each hunk's new-side lines
 * to the struct lh_ranges passed as payload (diffs are made with zero context lines, so a hunk's
 * new side is exactly its added lines). */
int lh_git__hunk_cb(const git_diff_delta *delta, const git_diff_hunk *hunk, void *payload);

/* Diff options every source uses: no context, text forced (a .gitattributes `-diff` must not hide a
 * file from the scan), no external drivers, no rename detection. */
void lh_git__diff_opts(git_diff_options *o);
/* Appends to out the lines of blob nb (at path) that old lacks: its zero-context hunks. by_id: diff
 * the blobs by id (cheaper where no index has to be loaded for .gitattributes: bare repositories).
 * Returns 0 or LH_ENOMEM / LH_EGIT. */
int lh_git__added_lines(const git_blob *old, const git_blob *nb, const char *path, bool by_id,
                        struct lh_ranges *out);

struct lh_git_origin;

/* Fills an origin from commit c (id, author, email, date) and path. Returns 0 or LH_ENOMEM. */
int lh_git__origin_fill(struct lh_git_origin *o, const git_commit *c, const char *path);

/* Answers provenance from the live history source of r (r->history): for each blob id in want (id
 * -> index into origins) that the history walk met, fills origins[index] when it was met under a
 * commit (the earliest one, see history.c) and leaves it empty when only a tag of a tree or blob
 * reaches it. *resolved counts the wanted ids it settled either way; the others are not in the
 * history source's list. Returns 0 or LH_ENOMEM/LH_EGIT. */
int lh_git__history_origins(struct lh_git_repo *r, const struct lh_oidmap *want,
                            struct lh_git_origin *origins, size_t *resolved);

/* ---- pack.c: the history scan's pack reader ---- */

/* One .pack file: its descriptor (-1: unusable) and the sorted offsets of its objects (from the
 * .idx), which bound each entry. */
struct lh_pack {
    int fd;
    uint64_t size;
    uint64_t *offs;
    size_t n_offs;
};

struct lh_packset {
    struct lh_pack *p;
    size_t n, cap;
};

struct lh_pack_reader;

void lh_packset_free(struct lh_packset *ps);
/* Adds the pack at pack_path with the n offsets of its objects (offs: taken, even on failure; may
 * be NULL when the .idx did not parse). Its number is the count of packs added before it. A pack
 * that cannot be opened is added as unusable. Returns 0 or LH_ENOMEM. */
int lh_packset_add(struct lh_packset *ps, const char *pack_path, uint64_t *offs, size_t n);
/* A reader for one thread; budget: bytes of resolved objects kept as delta bases. */
int lh_pack_reader_new(struct lh_pack_reader **out, const struct lh_packset *ps, size_t budget);
void lh_pack_reader_free(struct lh_pack_reader *r);
/* Reads the object at offset off of pack number pack. *data (NUL-terminated, *len bytes) stays
 * valid until the next call on r. Returns 0; 1 when the object is larger than max (not read);
 * -1 when this reader declines (read it through libgit2 instead). */
int lh_pack_read(struct lh_pack_reader *r, size_t pack, uint64_t off, uint64_t max,
                 const unsigned char **data, size_t *len, git_object_t *type);

/* Tests only: true makes the staged source take libgit2's HEAD-to-index diff instead of reading the
 * index file itself, so both paths can be compared. */
extern bool lh_git__staged_no_fast;

/* The range source's progress counters (lh_git_source_progress dispatches here). */
bool lh_git__is_range(const struct lh_source *src);
void lh_git__range_progress(const struct lh_source *src, struct lh_git_progress *out);

#endif
