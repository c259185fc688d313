/*
 * chunk.c - names for the chunk enums and the binary heuristic shared by every source.
 */
#include "util/chunk.h"

#include <string.h>

const char *lh_source_kind_name(enum lh_source_kind k)
{
    switch (k) {
    case LH_SRC_FILE:
        return "file";
    case LH_SRC_STDIN:
        return "stdin";
    case LH_SRC_INDEX:
        return "index";
    case LH_SRC_COMMIT:
        return "commit";
    }
    return "file";
}

const char *lh_skip_reason_name(enum lh_skip_reason r)
{
    switch (r) {
    case LH_SKIP_BINARY:
        return "binary";
    case LH_SKIP_TOO_LARGE:
        return "too-large";
    case LH_SKIP_UNREADABLE:
        return "unreadable";
    case LH_SKIP_MISSING_OBJECT:
        return "missing-object";
    case LH_SKIP_SYMLINK:
        return "symlink";
    case LH_SKIP_SUBMODULE:
        return "submodule";
    case LH_SKIP_PATH_RULE:
        return "path-excluded";
    case LH_SKIP__COUNT:
        break;
    }
    return "unknown";
}

int lh_is_binary(const void *data, size_t len)
{
    /* git looks at the first 8000 bytes; so do we, so both agree on what a text file is */
    return memchr(data, '\0', len < 8000 ? len : 8000) != NULL;
}
