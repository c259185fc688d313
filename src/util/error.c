/*
 * error.c - the thread-local error slot. Messages are truncated to the slot size; that bound keeps a
 * hostile path or pattern from growing it.
 */
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char lh_error_msg[1024];

int lh_error_set(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(lh_error_msg, sizeof(lh_error_msg), fmt, ap);
    va_end(ap);
    return code;
}

const char *lh_error_last(void)
{
    return lh_error_msg;
}

void lh_error_clear(void)
{
    lh_error_msg[0] = '\0';
}

const char *lh_error_str(int code)
{
    switch (code) {
    case LH_OK:
        return "ok";
    case LH_ENOMEM:
        return "out of memory";
    case LH_EINVALID:
        return "invalid input";
    case LH_ERULE:
        return "rule error";
    case LH_EGIT:
        return "git error";
    case LH_EUSER:
        return "stopped";
    case LH_EIO:
        return "i/o error";
    case LH_ELIMIT:
        return "limit exceeded";
    case LH_ENOTFOUND:
        return "not found";
    case LH_EINCOMPLETE:
        return "scan incomplete";
    case LH_EDEADLINE:
        return "deadline exceeded";
    case LH_ITEROVER:
        return "end of iteration";
    default:
        return "unknown error";
    }
}
