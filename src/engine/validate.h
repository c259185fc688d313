/*
 * validate.h - named, offline validators that a rule's `validate:` key selects. Each takes the
 * extracted secret's bytes and says whether it is structurally or checksum valid. Pure functions;
 * thread-safe.
 *
 * A "checksum" validator (github-crc32, npm-crc32, ...) proves a token is real-shaped; a failing one
 * means a typo or a fake and the match is dropped unless --no-validate. A "structure" validator
 * (jwt, pem, ...) rejects things that only look like the credential; it always drops on failure.
 */
#ifndef LH_ENGINE_VALIDATE_H
#define LH_ENGINE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

typedef bool (*lh_validator_fn)(const unsigned char *secret, size_t len);

struct lh_validator {
    const char *name;
    lh_validator_fn fn;
    bool checksum; /* true: --no-validate keeps failures; false: failures always drop */
    const char *doc;
};

/* NULL when no validator has that name. */
const struct lh_validator *lh_validator_find(const char *name);
/* The table, terminated by an entry with name == NULL. */
const struct lh_validator *lh_validators(void);

#endif
