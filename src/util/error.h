/*
 * error.h - status codes and the thread-local error message.
 *
 * Every library function that can fail returns 0 or a negative LH_E* code and, before returning
 * the code, records a one-line message saying what and where with lh_error_set(). The message
 * lives in a thread-local slot owned by this module; lh_error_last() returns it until the next
 * lh_error_set() or lh_error_clear() on the same thread. Thread-safe by construction.
 */
#ifndef LH_UTIL_ERROR_H
#define LH_UTIL_ERROR_H

enum {
    LH_OK = 0,
    LH_ENOMEM = -1,    /* an allocation failed */
    LH_EINVALID = -2,  /* bad input: usage, config, malformed data */
    LH_ERULE = -3,     /* a rule or rule pack is wrong */
    LH_EGIT = -4,      /* libgit2 failed, or the repository is unusable */
    LH_EUSER = -5,     /* a callback asked to stop */
    LH_EIO = -6,       /* reading or writing a file failed */
    LH_ELIMIT = -7,    /* a limit from limits.h was hit and policy says stop */
    LH_ENOTFOUND = -8, /* a named thing does not exist */
    LH_EINCOMPLETE = -9, /* objects missing: the scan could not see everything */
    LH_EDEADLINE = -10,  /* the wall-clock deadline passed */
    LH_ITEROVER = -100 /* the end of an iteration, not an error */
};

/* Records a printf-style message for the calling thread and returns code, so that callers can
 * write `return lh_error_set(LH_EINVALID, "...")`. */
int lh_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The calling thread's last message, or "" when there is none. Never NULL. */
const char *lh_error_last(void);

void lh_error_clear(void);

/* A short name for a code: "out of memory", "invalid input", ... */
const char *lh_error_str(int code);

#endif
