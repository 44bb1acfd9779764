/*
 * Error codes: names, format_error texts and name lookup, all from one table
 * (errtab.h), in the manner of libuv's UV_ERRNO_MAP.
 */
#include <esock/error.h>

#include <errno.h>
#include <string.h>

#include "error/errtab.h"

struct errrow {
    int code;
    const char *atom;
    const char *text;
};

#define ROW(atom, code, text) {code, #atom, text},
static const struct errrow errtab[] = {ESOCK_ERRTAB(ROW)};
#undef ROW

enum { NROWS = sizeof errtab / sizeof errtab[0] };

static const char UNKNOWN_POSIX[] = "unknown POSIX error";

static const struct errrow *row_by_code(int code)
{
    for (size_t i = 0; i < NROWS; i++)
        if (errtab[i].code == code)
            return &errtab[i];
    return NULL;
}

static const struct errrow *row_by_atom(const char *name, size_t len)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < NROWS; i++)
        if (strlen(errtab[i].atom) == len && memcmp(errtab[i].atom, name, len) == 0)
            return &errtab[i];
    return NULL;
}

const char *esock_errname(int code)
{
    if (code == 0)
        return "ok";
    if (code == ESOCK_SELECT)
        return "select";
    if (code == ESOCK_SELECT_PARTIAL)
        return "select_partial";
    const struct errrow *r = row_by_code(code);
    return r ? r->atom : "unknown";
}

const char *esock_format_error(int code)
{
    const struct errrow *r = row_by_code(code);
    return r ? r->text : UNKNOWN_POSIX;
}

const char *esock_format_error_atom(const char *name, size_t len)
{
    const struct errrow *r = row_by_atom(name, len);
    return r ? r->text : UNKNOWN_POSIX;
}

int esock_errcode(const char *name, size_t len)
{
    const struct errrow *r = row_by_atom(name, len);
    return r ? r->code : 0;
}

/* Sentences for the library's own codes; OS codes use the C library's text. */
static const struct {
    int code;
    const char *text;
} libtext[] = {
    {ESOCK_ETIMEOUT, "operation timed out (caller's deadline)"},
    {ESOCK_ECLOSED, "socket closed"},
    {ESOCK_ENXDOMAIN, "non-existing domain"},
    {ESOCK_ESYSTEM_LIMIT, "a system limit was hit"},
    {ESOCK_EXBADPORT, "invalid port state"},
    {ESOCK_EXBADSEQ, "bad command sequence"},
    {ESOCK_EALREADY_OP, "operation already in progress on this socket"},
    {ESOCK_EBADARG, "bad argument"},
    {ESOCK_EINVALID, "invalid packet"},
    {ESOCK_EINVAL_DOMAIN, "invalid domain"},
    {ESOCK_EINVAL_TYPE, "invalid socket type"},
    {ESOCK_EINVAL_PROTOCOL, "invalid protocol"},
    {ESOCK_EINVAL_ADDRESS, "invalid socket address"},
    {ESOCK_EINVAL_OPTION, "unknown socket option"},
    {ESOCK_EINVAL_VALUE, "invalid option value"},
    {ESOCK_EINVAL_FLAG, "invalid message flag"},
    {ESOCK_EINVAL_SELECTINFO, "select info matches no operation in progress"},
    {ESOCK_EINVAL_TIMEOUT, "invalid timeout"},
    {ESOCK_EINVAL_LENGTH, "invalid length"},
    {ESOCK_EINVAL_HANDLE, "invalid handle"},
    {ESOCK_EINVAL_REQUEST, "invalid ioctl request"},
    {ESOCK_ENOTSUP_OPTION, "option not supported here"},
};

const char *esock_strerror(int code)
{
    if (code == 0)
        return "success";
    if (code == ESOCK_SELECT)
        return "operation in progress (select)";
    if (code == ESOCK_SELECT_PARTIAL)
        return "operation partly done (select)";
    for (size_t i = 0; i < sizeof libtext / sizeof libtext[0]; i++)
        if (libtext[i].code == code)
            return libtext[i].text;
    if (code < 0 && code > -ESOCK_ERR_BASE) { /* no -code: INT_MIN has no negation */
        const char *s = strerrordesc_np(-code);
        if (s != NULL)
            return s;
    }
    return esock_format_error(code);
}
