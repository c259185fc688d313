/*
 * chunk.h - the one type sources hand to the engine: bytes plus provenance, and for diff-based scans
 * the ranges of added lines. Sources (src/git, src/fs) produce chunks; the engine and filters consume
 * them; neither side includes the other's headers.
 *
 * Ownership: a chunk's pointers belong to the source that filled it and stay valid until the source's
 * release() is called for it. Consumers copy what they keep.
 *
 * The source interface lets several workers pull chunks at once: next() is called concurrently with
 * distinct worker indexes, so a source may keep per-worker state (a repository handle each).
 */
#ifndef LH_UTIL_CHUNK_H
#define LH_UTIL_CHUNK_H

#include <stddef.h>
#include <stdint.h>

enum lh_source_kind {
    LH_SRC_FILE,   /* a file on disk */
    LH_SRC_STDIN,  /* piped text */
    LH_SRC_INDEX,  /* a staged blob (pre-commit) */
    LH_SRC_COMMIT, /* a blob, commit message or tag message reached from a commit */
};

const char *lh_source_kind_name(enum lh_source_kind k);

/* Lines first..last (1-based, inclusive) were added by the change being scanned. */
struct lh_line_range {
    uint32_t first;
    uint32_t last;
};

struct lh_chunk {
    const unsigned char *data;
    size_t len;
    const char *path;                  /* NUL-terminated bytes as the source has them; never NULL */
    enum lh_source_kind kind;
    const struct lh_line_range *added; /* sorted, disjoint; NULL means every line counts */
    size_t n_added;
    const char *commit;                /* hex id, or NULL */
    const char *author;                /* NULL when unknown */
    const char *author_email;
    const char *date;                  /* ISO 8601 UTC, or NULL */
    const char *blob_id;               /* hex id of the blob, or NULL */
    void *provenance;                  /* the source's own, opaque to everyone else */
};

/* Why a source passed over an input. Every skip is counted and reported with its path. */
enum lh_skip_reason {
    LH_SKIP_BINARY,
    LH_SKIP_TOO_LARGE,
    LH_SKIP_UNREADABLE,
    LH_SKIP_MISSING_OBJECT,
    LH_SKIP_SYMLINK,
    LH_SKIP_SUBMODULE,
    LH_SKIP_PATH_RULE,
    LH_SKIP__COUNT
};

const char *lh_skip_reason_name(enum lh_skip_reason r);

typedef void (*lh_skip_cb)(void *payload, const char *path, enum lh_skip_reason why);

struct lh_source;

struct lh_source_ops {
    /* Fills *out with the next chunk for worker w. Returns 0, LH_ITEROVER at the end, or a negative
     * LH_E* code with lh_error_last() set. Called concurrently for distinct w. */
    int (*next)(struct lh_source *src, unsigned w, struct lh_chunk *out);
    /* Gives back a chunk obtained from next() by worker w. */
    void (*release)(struct lh_source *src, unsigned w, struct lh_chunk *c);
    /* Frees the source; accepts any partial state. */
    void (*free)(struct lh_source *src);
};

/* The common head of every source; concrete sources embed it first. */
struct lh_source {
    const struct lh_source_ops *ops;
    unsigned workers;   /* how many worker indexes next() accepts */
    lh_skip_cb on_skip; /* may be NULL */
    void *skip_payload;
};

static inline void lh_source_skip(struct lh_source *s, const char *path, enum lh_skip_reason why)
{
    if (s->on_skip)
        s->on_skip(s->skip_payload, path, why);
}

/* True when the bytes look binary: a NUL in the first 8 KiB (git's buffer_is_binary heuristic). */
int lh_is_binary(const void *data, size_t len);

#endif
