/*
 * precompiled_none.c - "no precompiled built-in pack": linked into tools/precompile.c (which makes
 * the real one) and into builds configured with -DLH_PRECOMPILE=OFF. The built-in pack is then
 * parsed from the embedded YAML at run time. See src/rules/precompiled.h.
 */
#include <stddef.h>

#include "rules/precompiled.h"

const struct lh_precompiled *lh_precompiled_get(void)
{
    return NULL;
}
