/*
 * cache.c - the on-disk cache of compiled Hyperscan databases (Suricata's util-mpm-hs-cache.c).
 *
 * Key: SHA-256 over a format version, hs_version(), the host platform (hs_populate_platform) and,
 * for every enabled rule in order, its id, its Hyperscan pattern and the flags requested for it.
 * Whether a rule fell back to HS_FLAG_PREFILTER is a pure function of those, so it is stored in the
 * file beside the rule's min_width and max_width (all cost a hs_expression_info call to recompute).
 *
 * File <dir>/<key>.hsdb:
 *     "LHDB" | u32 format | key (64 hex) | u32 n_rules
 *     | n_rules x (u32 flags, u32 min_width, u32 max_width) | u64 db_len | db
 * (native byte order: the platform is in the key). The key inside guards against a file of other
 * content put under this name. Anything that does not parse exactly, or that
 * Hyperscan will not deserialize, is a miss; the caller recompiles and replaces the file. Writes
 * go to a mkstemp() file in the same directory and rename() over the target, so a reader never
 * sees a half-written file. Every failure here is a non-event to the caller.
 */
#include "engine/engine_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hash.h"

#define LH_CACHE_MAGIC "LHDB"
/* A serialized database bigger than this is not one we wrote. */
#define LH_CACHE_MAX_FILE ((size_t)1 << 30)

static int lh_cache_key(char key[65], const struct lh_engine *e)
{
    hs_platform_info_t plat;
    struct lh_buf b;
    const void *parts[1];
    size_t lens[1];
    size_t i;
    int rc;

    memset(&plat, 0, sizeof(plat));
    if (hs_populate_platform(&plat) != HS_SUCCESS)
        return lh_error_set(LH_EINVALID, "cannot read the Hyperscan platform");
    lh_buf_init(&b, (size_t)1 << 30);
    rc = lh_buf_addf(&b, "leakhound-hsdb%c%u%c%s%c%u %llu %llu %llu%c%zu%c", 0, LH_CACHE_FORMAT, 0,
                     hs_version(), 0, plat.tune, (unsigned long long)plat.cpu_features,
                     (unsigned long long)plat.reserved1, (unsigned long long)plat.reserved2, 0,
                     e->n_rules, 0);
    for (i = 0; i < e->n_rules && rc == 0; i++) {
        /* flags requested: 0 (exact, PREFILTER when Hyperscan cannot take it exactly) */
        rc = lh_buf_addf(&b, "%s%c%s%c%u%c", e->rules[i].rule->id, 0, e->rules[i].hs_pattern, 0,
                         0u, 0);
    }
    if (rc == 0) {
        parts[0] = b.ptr;
        lens[0] = b.len;
        lh_sha256_hex(key, parts, lens, 1);
        if (key[0] == '\0')
            rc = lh_error_set(LH_EINVALID, "cannot hash the cache key");
    }
    lh_buf_release(&b);
    return rc;
}

int lh_cache_path(char **out, char key[65], const struct lh_engine *e, const char *cache_dir)
{
    struct lh_buf b;
    const char *env;
    int rc;

    *out = NULL;
    rc = lh_cache_key(key, e);
    if (rc)
        return rc;
    lh_buf_init(&b, 65536);
    if (cache_dir && *cache_dir) {
        rc = lh_buf_adds(&b, cache_dir);
    } else {
        env = getenv("XDG_CACHE_HOME");
        if (env && *env) {
            rc = lh_buf_addf(&b, "%s/leakhound", env);
        } else {
            env = getenv("HOME");
            if (env == NULL || *env == '\0') {
                lh_buf_release(&b);
                return LH_ENOTFOUND;
            }
            rc = lh_buf_addf(&b, "%s/.cache/leakhound", env);
        }
    }
    if (rc == 0)
        rc = lh_buf_addf(&b, "/%s.hsdb", key);
    if (rc == 0)
        rc = lh_buf_detach(&b, out, NULL);
    if (rc)
        lh_buf_release(&b);
    return rc;
}

static uint32_t lh_get32(const unsigned char *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

static int lh_read_file(unsigned char **out, size_t *out_len, const char *path)
{
    struct stat st;
    unsigned char *data = NULL;
    size_t got = 0;
    int fd, rc = LH_ENOTFOUND;

    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return LH_ENOTFOUND;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uint64_t)st.st_size > LH_CACHE_MAX_FILE)
        goto out;
    data = lh_malloc((size_t)st.st_size);
    if (data == NULL)
        goto out;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto out;
        got += (size_t)n;
    }
    *out = data;
    *out_len = got;
    data = NULL;
    rc = 0;
out:
    free(data);
    close(fd);
    return rc;
}

#define LH_CACHE_HEAD (4 + 4 + 64 + 4)
#define LH_CACHE_REC 12

int lh_cache_decode(struct lh_engine *e, const unsigned char *data, size_t len,
                    const char key[65])
{
    size_t off, i, meta;
    uint64_t db_len;
    char *dbinfo = NULL;
    hs_database_t *db = NULL;
    int rc = LH_ENOTFOUND;

    if (len < LH_CACHE_HEAD || memcmp(data, LH_CACHE_MAGIC, 4) != 0 ||
        lh_get32(data + 4) != LH_CACHE_FORMAT || (key && memcmp(data + 8, key, 64) != 0) ||
        lh_get32(data + 72) != e->n_rules)
        goto out;
    off = LH_CACHE_HEAD;
    meta = e->n_rules * LH_CACHE_REC;
    if (len - off < meta + 8)
        goto out;
    for (i = 0; i < e->n_rules; i++) {
        uint32_t flags = lh_get32(data + off + LH_CACHE_REC * i);
        if (flags != 0 && flags != HS_FLAG_PREFILTER)
            goto out;
    }
    memcpy(&db_len, data + off + meta, sizeof(db_len));
    off += meta + 8;
    if (db_len == 0 || db_len != len - off)
        goto out;
    /* both refuse a database of another Hyperscan version, or one built for CPU features this
     * machine lacks (HS_DB_VERSION_ERROR, HS_DB_PLATFORM_ERROR): a miss, never an error */
    if (hs_serialized_database_info((const char *)data + off, (size_t)db_len, &dbinfo) !=
        HS_SUCCESS)
        goto out;
    if (hs_deserialize_database((const char *)data + off, (size_t)db_len, &db) != HS_SUCCESS)
        goto out;
    for (i = 0; i < e->n_rules; i++) {
        const unsigned char *rec = data + LH_CACHE_HEAD + LH_CACHE_REC * i;
        e->rules[i].hs_flags = lh_get32(rec);
        e->rules[i].min_width = lh_get32(rec + 4);
        e->rules[i].max_width = lh_get32(rec + 8);
    }
    e->db = db;
    db = NULL;
    rc = 0;
out:
    free(dbinfo);
    hs_free_database(db);
    return rc;
}

int lh_cache_load(struct lh_engine *e, const char *path, const char key[65])
{
    unsigned char *data = NULL;
    size_t len = 0;
    int rc;

    if (lh_read_file(&data, &len, path) != 0)
        return LH_ENOTFOUND;
    rc = lh_cache_decode(e, data, len, key);
    free(data);
    return rc;
}

int lh_cache_encode(const struct lh_engine *e, const char key[65], unsigned char **out,
                    size_t *out_len)
{
    char *bytes = NULL;
    unsigned char *img;
    size_t n = 0, hlen, i;
    uint64_t db_len;
    uint32_t v;

    *out = NULL;
    *out_len = 0;
    if (hs_serialize_database(e->db, &bytes, &n) != HS_SUCCESS)
        return LH_EIO;
    hlen = LH_CACHE_HEAD + e->n_rules * LH_CACHE_REC + 8;
    img = lh_malloc(hlen + n);
    if (img == NULL) {
        free(bytes);
        return LH_ENOMEM;
    }
    memcpy(img, LH_CACHE_MAGIC, 4);
    v = LH_CACHE_FORMAT;
    memcpy(img + 4, &v, 4);
    memcpy(img + 8, key, 64);
    v = (uint32_t)e->n_rules;
    memcpy(img + 72, &v, 4);
    for (i = 0; i < e->n_rules; i++) {
        unsigned char *rec = img + LH_CACHE_HEAD + LH_CACHE_REC * i;
        uint32_t flags = e->rules[i].hs_flags;
        memcpy(rec, &flags, 4);
        memcpy(rec + 4, &e->rules[i].min_width, 4);
        memcpy(rec + 8, &e->rules[i].max_width, 4);
    }
    db_len = n;
    memcpy(img + hlen - 8, &db_len, 8);
    memcpy(img + hlen, bytes, n);
    free(bytes);
    *out = img;
    *out_len = hlen + n;
    return 0;
}

/* mkdir -p for the parent directories of path, mode 0700. */
static int lh_mkdirs(const char *path)
{
    char *dir = lh_strdup(path);
    char *p;
    int rc = 0;

    if (dir == NULL)
        return LH_ENOMEM;
    p = strrchr(dir, '/');
    if (p == NULL || p == dir)
        goto out;
    *p = '\0';
    for (p = dir + 1; rc == 0; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        {
            char c = *p;
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST)
                rc = LH_EIO;
            *p = c;
            if (c == '\0')
                break;
        }
    }
out:
    free(dir);
    return rc;
}

static int lh_write_all(int fd, const void *data, size_t len)
{
    const unsigned char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return LH_EIO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int lh_cache_store(const struct lh_engine *e, const char *path, const char key[65])
{
    unsigned char *img = NULL;
    char *tmp = NULL;
    size_t n = 0, plen;
    int fd = -1, rc = LH_EIO;
    bool made = false;

    if (lh_cache_encode(e, key, &img, &n) != 0)
        return LH_EIO;
    if (lh_mkdirs(path) != 0)
        goto out;
    plen = strlen(path);
    tmp = lh_malloc(plen + 8);
    if (tmp == NULL)
        goto out;
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".XXXXXX", 8);
    fd = mkstemp(tmp);
    if (fd < 0)
        goto out;
    made = true;
    if (lh_write_all(fd, img, n) != 0)
        goto out;
    if (close(fd) != 0) {
        fd = -1;
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) != 0)
        goto out;
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (rc && made)
        unlink(tmp);
    free(tmp);
    free(img);
    return rc;
}
