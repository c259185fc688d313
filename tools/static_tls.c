/*
 * static_tls.c - linked only into the static binary (-DLH_STATIC=ON), with the linker's --wrap for
 * the four entry points of libgit2's mbedTLS stream (see CMakeLists.txt). leakhound reads local
 * repositories and never opens a network connection, but libgit2's global init loads and parses
 * every CA certificate in the system bundle through mbedTLS on every run: 55 M of a pre-commit's
 * 80 M instructions, about 7 ms of each hook run (bench/RESULTS.md). In the static binary, TLS is
 * therefore left out: the init does nothing, and asking for a TLS stream or a certificate location
 * fails with an error (as libgit2 does when built without HTTPS), so nothing can use an
 * uninitialised TLS context. The dynamic build keeps Debian's libgit2 and binds only its CA-bundle
 * parse to functions that load nothing (dynamic_tls.c).
 */
#include <stddef.h>

#include <git2/errors.h>

int __wrap_git_mbedtls_stream_global_init(void);
int __wrap_git_mbedtls_stream_new(void **out, const char *host, const char *port);
int __wrap_git_mbedtls_stream_wrap(void **out, void *in, const char *host);
int __wrap_git_mbedtls__set_cert_location(const char *file, const char *path);

static int lh_no_tls(void)
{
    git_error_set_str(GIT_ERROR_SSL, "this leakhound binary has no TLS (it never uses the network)");
    return -1;
}

int __wrap_git_mbedtls_stream_global_init(void)
{
    return 0;
}

int __wrap_git_mbedtls_stream_new(void **out, const char *host, const char *port)
{
    (void)host;
    (void)port;
    *out = NULL;
    return lh_no_tls();
}

int __wrap_git_mbedtls_stream_wrap(void **out, void *in, const char *host)
{
    (void)in;
    (void)host;
    *out = NULL;
    return lh_no_tls();
}

int __wrap_git_mbedtls__set_cert_location(const char *file, const char *path)
{
    (void)file;
    (void)path;
    return lh_no_tls();
}
