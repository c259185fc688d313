/*
 * static_gss.c - linked only into the static binary (-DLH_STATIC=ON). Debian's libgit2 links GSSAPI
 * for HTTP "Negotiate" (Kerberos) authentication, and Debian ships no static GSSAPI library. A
 * scanner of local repositories never talks HTTP, so these stand-ins answer every call with
 * GSS_S_FAILURE (RFC 2744: routine error 13 << 16), which libgit2 reports as an authentication
 * failure; they exist so that a fully static leakhound can be linked from Debian's archives.
 */
#include <stdint.h>

typedef uint32_t lh_gss_status; /* OM_uint32 */

struct lh_gss_oid {
    lh_gss_status length;
    void *elements;
};

#define LH_GSS_S_FAILURE ((lh_gss_status)13u << 16)

static struct lh_gss_oid lh_gss_hostbased = {0, 0};
/* the object's name must be GSSAPI's own: libgit2 refers to it by that name */
struct lh_gss_oid *GSS_C_NT_HOSTBASED_SERVICE = &lh_gss_hostbased;

#define LH_GSS_FAIL(name)                                                                           \
    lh_gss_status name(lh_gss_status *minor, ...);                                                \
    lh_gss_status name(lh_gss_status *minor, ...)                                                 \
    {                                                                                               \
        if (minor)                                                                                  \
            *minor = 0;                                                                             \
        return LH_GSS_S_FAILURE;                                                                    \
    }

LH_GSS_FAIL(gss_delete_sec_context)
LH_GSS_FAIL(gss_display_status)
LH_GSS_FAIL(gss_import_name)
LH_GSS_FAIL(gss_indicate_mechs)
LH_GSS_FAIL(gss_init_sec_context)
LH_GSS_FAIL(gss_release_buffer)
LH_GSS_FAIL(gss_release_name)
LH_GSS_FAIL(gss_release_oid_set)
