/*
 * dynamic_tls.c - linked only into the dynamically linked leakhound binary (the static one leaves
 * libgit2's TLS out altogether, see static_tls.c). Debian's libgit2 is built with mbedTLS, and its
 * global init (git_libgit2_init) parses every certificate of the system CA bundle on every run,
 * about 7 ms of each pre-commit hook (bench/RESULTS.md), for a scanner that reads local
 * repositories and never opens a network connection.
 *
 * The binary therefore defines the two mbedTLS functions that do that parsing and exports them
 * (CMakeLists.txt: --export-dynamic-symbol). The dynamic linker looks in the executable first, so
 * libgit2's calls bind here (tests/e2e/t3000 checks the binding with LD_DEBUG). They load nothing
 * and fail as an unreadable bundle does: libgit2 keeps an empty CA chain, so a TLS connection, if
 * anything ever asked for one, would fail certificate verification rather than skip it. The first
 * parameter is an mbedtls_x509_crt *; it is never touched, so no mbedTLS header is needed.
 */

/* mbedTLS's MBEDTLS_ERR_X509_FILE_IO_ERROR ("Read/write of file failed") */
#define LH_X509_FILE_IO_ERROR (-0x2900)

int mbedtls_x509_crt_parse_file(void *chain, const char *path);
int mbedtls_x509_crt_parse_path(void *chain, const char *path);

int mbedtls_x509_crt_parse_file(void *chain, const char *path)
{
    (void)chain;
    (void)path;
    return LH_X509_FILE_IO_ERROR;
}

int mbedtls_x509_crt_parse_path(void *chain, const char *path)
{
    (void)chain;
    (void)path;
    return LH_X509_FILE_IO_ERROR;
}
