/*
 * yamldoc.h - a small, strict reader of YAML documents for the config and baseline loaders.
 *
 * A document is parsed twice: once as an event stream that refuses aliases and anchors (a config
 * has no use for them, and an alias lets a tiny file describe an exponential tree) and nesting deeper
 * than LH_MAX_YAML_DEPTH; then with libyaml's (non-recursive) document loader. A mapping with the
 * same key twice is refused: a strict file has no "last one wins". Every error message
 * has the form "FILE:LINE:COL: what is wrong", 1-based, the style of the rule-pack loader.
 *
 * Ownership: a struct lh_ydoc is held by value (_load / _release) and owns the document; node
 * pointers are valid until _release. Not thread-safe: one owner.
 */
#ifndef LH_FILTER_YAMLDOC_H
#define LH_FILTER_YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

struct lh_ydoc {
    yaml_document_t doc;
    bool loaded;
    char *name; /* the file name used in messages */
};

/* Reads a whole file, refusing files over max bytes. *out is NUL-terminated; free() it. */
int lh_ydoc_read_file(char **out, size_t *out_len, const char *path, size_t max);

/* Parses data as one YAML document. name is used in messages. An empty document has no root. */
int lh_ydoc_load(struct lh_ydoc *d, const char *name, const char *data, size_t len);
void lh_ydoc_release(struct lh_ydoc *d);

/* The root node, or NULL for an empty document. */
yaml_node_t *lh_ydoc_root(struct lh_ydoc *d);
yaml_node_t *lh_ydoc_node(struct lh_ydoc *d, int index);

/* Records "FILE:LINE:COL: message" for node n (NULL: line 1 col 1) and returns LH_EINVALID. */
int lh_ydoc_error(const struct lh_ydoc *d, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A short name for the node's kind in messages: "a mapping", "a list", "a string". */
const char *lh_ydoc_kind(const yaml_node_t *n);

/* Typed readers; each returns 0 or LH_EINVALID naming what was expected. */
/* A non-empty scalar as a C string (NUL bytes in a scalar are refused). Points into the document. */
int lh_ydoc_string(struct lh_ydoc *d, yaml_node_t *n, const char *what, const char **out);
/* A plain scalar true/false. */
int lh_ydoc_bool(struct lh_ydoc *d, yaml_node_t *n, const char *what, bool *out);
/* A plain unsigned decimal integer up to max. */
int lh_ydoc_uint(struct lh_ydoc *d, yaml_node_t *n, const char *what, uint64_t max, uint64_t *out);
/* A byte size: an integer or a string with a K, M or G suffix (powers of 1024). */
int lh_ydoc_size(struct lh_ydoc *d, yaml_node_t *n, const char *what, uint64_t *out);
/* Requires a mapping / a sequence. */
int lh_ydoc_expect(struct lh_ydoc *d, yaml_node_t *n, yaml_node_type_t type, const char *what);

#endif
