/* format_error.tsv: inet:format_error(Atom) and the atom <-> code table. */
#include "vec.h"

#include <esock/error.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int line(char **f, int nf, char *msg, size_t cap)
{
    (void)nf;
    struct vec_bytes want;
    if (vec_quoted(f[1], true, &want) < 0)
        return -1;
    const char *atom = f[0];
    const char *got = esock_format_error_atom(atom, strlen(atom));
    int ok = strlen(got) == want.len && memcmp(got, want.p, want.len) == 0;
    /* A known atom must also round-trip through its code. */
    int code = esock_errcode(atom, strlen(atom));
    if (ok && code != 0) {
        const char *by_code = esock_format_error(code);
        const char *name = esock_errname(code);
        /* Aliases (ewouldblock = eagain) name the primary atom; the text of
         * the primary atom must then be what format_error(code) gives. */
        ok = strcmp(by_code, esock_format_error_atom(name, strlen(name))) == 0 &&
             esock_errcode(name, strlen(name)) == code;
    }
    if (!ok)
        snprintf(msg, cap, "%s: got \"%s\" (code %d)", atom, got, code);
    free(want.p);
    return ok;
}

const struct vec_kind vec_format_error = {"format_error.tsv", "#reason\tresult", line};
