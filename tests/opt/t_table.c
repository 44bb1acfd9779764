/* The option table: ids, names, lookups, and docs/options.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opt_tests.h"
#include "opt/optsys.h"

static void every_row_is_filled(void **state)
{
    (void)state;
    for (int o = 1; o < ESOCK_OPT__COUNT; o++) {
        esock_optinfo_t in;
        assert_int_equal(esock_opt_info((esock_opt_t)o, &in), 0);
        assert_non_null(in.name);
        assert_true(in.name[0] != 0);
        assert_true(in.type > ESOCK_OVT_NONE && in.type < ESOCK_OVT__COUNT);
        assert_true(in.access == ESOCK_OPT_GET || in.access == ESOCK_OPT_SET ||
                    in.access == (ESOCK_OPT_GET | ESOCK_OPT_SET));
        assert_non_null(esock_optval_type_name(in.type));
        /* (level, name) is unique and finds the row back */
        assert_int_equal(esock_opt_lookup(in.level_name, in.name), o);
        if (in.level == ESOCK_LEVEL_OTP) {
            assert_string_equal(in.native_name, "");
            assert_true(in.supported);
        } else {
            assert_true(in.native_name[0] != 0);
            if (in.supported) {
                assert_true(in.native_opt >= 0);
                assert_int_equal(in.native_level, esock_level_native(in.level));
            }
        }
    }
    esock_optinfo_t in;
    assert_int_equal(esock_opt_info(ESOCK_OPT_NONE, &in), ESOCK_EINVAL_OPTION);
    assert_int_equal(esock_opt_info(ESOCK_OPT__COUNT, &in), ESOCK_EINVAL_OPTION);
    assert_int_equal(esock_opt_info((esock_opt_t)-3, &in), ESOCK_EINVAL_OPTION);
}

static int count_level(esock_level_t l)
{
    int n = 0;
    for (int o = 1; o < ESOCK_OPT__COUNT; o++)
        n += esock__opttab[o].level == l;
    return n;
}

/* The reference page's lists: 10 otp, 32 socket, 33 ip, 34 ipv6, 13 tcp, 1 udp, 32 sctp. */
static void table_has_every_option_of_the_page(void **state)
{
    (void)state;
    assert_int_equal(count_level(ESOCK_LEVEL_OTP), 10);
    assert_int_equal(count_level(ESOCK_LEVEL_SOCKET), 32);
    assert_int_equal(count_level(ESOCK_LEVEL_IP), 33);
    assert_int_equal(count_level(ESOCK_LEVEL_IPV6), 34);
    assert_int_equal(count_level(ESOCK_LEVEL_TCP), 13);
    assert_int_equal(count_level(ESOCK_LEVEL_UDP), 1);
    assert_int_equal(count_level(ESOCK_LEVEL_SCTP), 32);
    assert_int_equal(ESOCK_OPT__COUNT - 1, 10 + 32 + 33 + 34 + 13 + 1 + 32);
}

static void page_notes_hold(void **state)
{
    (void)state;
    esock_optinfo_t in;
    /* get only / set only, as the page says */
    const esock_opt_t get_only[] = {ESOCK_OPT_SOCKET_ACCEPTCONN, ESOCK_OPT_SOCKET_DOMAIN,
                                    ESOCK_OPT_SOCKET_PROTOCOL, ESOCK_OPT_SOCKET_TYPE,
                                    ESOCK_OPT_SOCKET_ERROR, ESOCK_OPT_SOCKET_PEERCRED,
                                    ESOCK_OPT_IP_MTU, ESOCK_OPT_IPV6_MTU, ESOCK_OPT_OTP_FD,
                                    ESOCK_OPT_OTP_USE_REGISTRY, ESOCK_OPT_OTP_DOMAIN};
    for (size_t i = 0; i < sizeof get_only / sizeof get_only[0]; i++) {
        assert_int_equal(esock_opt_info(get_only[i], &in), 0);
        assert_int_equal(in.access, ESOCK_OPT_GET);
    }
    const esock_opt_t set_only[] = {ESOCK_OPT_IP_ADD_MEMBERSHIP, ESOCK_OPT_IP_DROP_MEMBERSHIP,
                                    ESOCK_OPT_IP_ADD_SOURCE_MEMBERSHIP, ESOCK_OPT_IP_BLOCK_SOURCE,
                                    ESOCK_OPT_IP_MSFILTER, ESOCK_OPT_IPV6_ADD_MEMBERSHIP,
                                    ESOCK_OPT_IPV6_ADDRFORM, ESOCK_OPT_SCTP_EVENTS};
    for (size_t i = 0; i < sizeof set_only / sizeof set_only[0]; i++) {
        assert_int_equal(esock_opt_info(set_only[i], &in), 0);
        assert_int_equal(in.access, ESOCK_OPT_SET);
    }
    /* disabled by the page: peek_off always, rcvtimeo/sndtimeo by default */
    assert_int_equal(esock_opt_info(ESOCK_OPT_SOCKET_PEEK_OFF, &in), 0);
    assert_false(in.supported);
#ifndef ESOCK_ENABLE_RCVSNDTIMEO
    assert_int_equal(esock_opt_info(ESOCK_OPT_SOCKET_RCVTIMEO, &in), 0);
    assert_false(in.supported);
    assert_int_equal(in.type, ESOCK_OVT_TIMEVAL);
#endif
    assert_int_equal(esock_opt_info(ESOCK_OPT_SOCKET_LINGER, &in), 0);
    assert_int_equal(in.type, ESOCK_OVT_LINGER);
    assert_string_equal(in.native_name, "SO_LINGER");
    assert_int_equal(in.native_opt, SO_LINGER);
    assert_int_equal(in.native_level, SOL_SOCKET);
}

static void lookups(void **state)
{
    (void)state;
    assert_int_equal(esock_opt_lookup("socket", "linger"), ESOCK_OPT_SOCKET_LINGER);
    assert_int_equal(esock_opt_lookup("tcp", "nodelay"), ESOCK_OPT_TCP_NODELAY);
    assert_int_equal(esock_opt_lookup("sctp", "nodelay"), ESOCK_OPT_SCTP_NODELAY);
    assert_int_equal(esock_opt_lookup("otp", "rcvbuf"), ESOCK_OPT_OTP_RCVBUF);
    assert_int_equal(esock_opt_lookup("socket", "bogus"), ESOCK_OPT_NONE);
    assert_int_equal(esock_opt_lookup("bogus", "linger"), ESOCK_OPT_NONE);
    assert_int_equal(esock_opt_lookup(NULL, "linger"), ESOCK_OPT_NONE);
    assert_int_equal(esock_level_lookup("ipv6"), ESOCK_LEVEL_IPV6);
    assert_int_equal(esock_level_lookup("IPV6"), -1);
    assert_string_equal(esock_level_name(ESOCK_LEVEL_SCTP), "sctp");
    assert_null(esock_level_name(ESOCK_LEVEL__COUNT));
    assert_int_equal(esock_level_native(ESOCK_LEVEL_SOCKET), SOL_SOCKET);
    assert_int_equal(esock_level_native(ESOCK_LEVEL_TCP), IPPROTO_TCP);
    assert_int_equal(esock_level_native(ESOCK_LEVEL_OTP), -1);
    assert_string_equal(esock_optval_type_name(ESOCK_OVT_BOOL), "boolean");
    assert_null(esock_optval_type_name(ESOCK_OVT__COUNT));
    int l, o;
    assert_int_equal(esock_opt_native(ESOCK_OPT_SOCKET_RCVBUF, &l, &o), 0);
    assert_int_equal(l, SOL_SOCKET);
    assert_int_equal(o, SO_RCVBUF);
    assert_int_equal(esock_opt_native(ESOCK_OPT_OTP_RCVBUF, &l, &o), ESOCK_EINVAL_OPTION);
    assert_int_equal(esock_opt_native(ESOCK_OPT_SOCKET_SETFIB, &l, &o),
                     esock__opt_supported(ESOCK_OPT_SOCKET_SETFIB) ? 0 : ESOCK_ENOTSUP_OPTION);
}

/* ---- docs/options.md ---------------------------------------------------------------- */

static void app(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < *cap - *len) {
            *len += (size_t)n;
            return;
        }
        *cap = *cap * 2 + (size_t)(n > 0 ? n : 0);
        *buf = realloc(*buf, *cap);
        if (*buf == NULL)
            abort();
    }
}

static const char *access_text(unsigned a)
{
    return a == ESOCK_OPT_GET ? "get" : a == ESOCK_OPT_SET ? "set" : "get, set";
}

char *opt_render_docs(void)
{
    size_t len = 0, cap = 4096;
    char *b = malloc(cap);
    if (b == NULL)
        abort();
    b[0] = 0;
    app(&b, &len, &cap,
        "<!-- GENERATED from include/esock/optlist.h: do not edit.\n"
        "     Regenerate: ESOCK_WRITE_DOCS=docs/options.md build/<dir>/tests/test_opt\n"
        "     (test_opt fails while this file and the table disagree). -->\n"
        "# Socket options\n\n"
        "Every option of the socket reference page, by level: its id\n"
        "(`ESOCK_OPT_<LEVEL>_<NAME>`), value type (`esock_optval_t` member, see\n"
        "`include/esock/opt.h`), access and the OS constant it maps to. Whether\n"
        "this build supports an option is `esock_opt_info().supported` or\n"
        "`esock_is_supported(\"options\", level, name)`; see `docs/opt.md` for\n"
        "the rules (errors, conversions, the otp level, supports and ioctl).\n");
    int last = -1;
    for (int o = 1; o < ESOCK_OPT__COUNT; o++) {
        esock_optinfo_t in;
        esock_opt_info((esock_opt_t)o, &in);
        if ((int)in.level != last) {
            last = (int)in.level;
            app(&b, &len, &cap, "\n## Level `%s`\n\n", in.level_name);
            app(&b, &len, &cap, "| option | type | access | native | note |\n|---|---|---|---|---|\n");
        }
        char id[96];
        snprintf(id, sizeof id, "ESOCK_OPT_%s_%s", in.level_name, in.name);
        for (char *p = id; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
        app(&b, &len, &cap, "| `%s` (`%s`) | %s | %s | %s | %s |\n", in.name, id,
            esock_optval_type_name(in.type), access_text(in.access),
            in.native_name[0] ? in.native_name : "-", in.note);
    }
    return b;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s == NULL || fread(s, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(s);
        return NULL;
    }
    s[n] = 0;
    fclose(f);
    return s;
}

static void docs_match_the_table(void **state)
{
    (void)state;
    char *want = opt_render_docs();
    char *have = slurp(ESOCK_TEST_VECTORS "/../../docs/options.md");
    if (have == NULL)
        fail_msg("docs/options.md missing; regenerate with ESOCK_WRITE_DOCS=docs/options.md test_opt");
    if (strcmp(want, have) != 0)
        fail_msg("docs/options.md differs from the option table; regenerate with "
                 "ESOCK_WRITE_DOCS=docs/options.md test_opt");
    free(want);
    free(have);
}

const struct CMUnitTest opt_table_tests[] = {
    cmocka_unit_test(every_row_is_filled),
    cmocka_unit_test(table_has_every_option_of_the_page),
    cmocka_unit_test(page_notes_hold),
    cmocka_unit_test(lookups),
    cmocka_unit_test(docs_match_the_table),
};
OPT_NTESTS(opt_table);
