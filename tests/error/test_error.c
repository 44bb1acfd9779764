/* Unit tests of the error table: codes, names, texts, lookups. */
#include <esock/error.h>

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static void test_os_errors_are_negative_errno(void **state)
{
    (void)state;
    assert_string_equal(esock_errname(-EADDRINUSE), "eaddrinuse");
    assert_string_equal(esock_format_error(-EADDRINUSE), "address already in use");
    assert_int_equal(esock_errcode("econnreset", 10), -ECONNRESET);
    assert_string_equal(esock_errname(-ECONNREFUSED), "econnrefused");
}

static void test_library_codes_have_names(void **state)
{
    (void)state;
    assert_string_equal(esock_errname(ESOCK_ETIMEOUT), "timeout");
    assert_string_equal(esock_errname(ESOCK_ECLOSED), "closed");
    assert_string_equal(esock_errname(ESOCK_SELECT), "select");
    assert_string_equal(esock_errname(0), "ok");
    assert_int_equal(esock_errcode("closed", 6), ESOCK_ECLOSED);
    assert_int_equal(esock_errcode("timeout", 7), ESOCK_ETIMEOUT);
    assert_string_equal(esock_format_error(ESOCK_ENXDOMAIN), "non-existing domain");
    /* OTP 25 has no text for these two. */
    assert_string_equal(esock_format_error(ESOCK_ETIMEOUT), "unknown POSIX error");
    assert_string_equal(esock_format_error(ESOCK_ECLOSED), "unknown POSIX error");
    /* esock_strerror is always informative. */
    assert_string_equal(esock_strerror(ESOCK_ECLOSED), "socket closed");
    assert_string_equal(esock_strerror(-ECONNRESET), "Connection reset by peer");
}

static void test_library_block_is_above_every_errno(void **state)
{
    (void)state;
    /* Every errno the C library knows stays below the library block. */
    for (int e = 1; e < ESOCK_ERR_BASE; e++)
        if (strerrordesc_np(e) != NULL)
            assert_true(e < ESOCK_ERR_BASE);
    assert_true(-ESOCK_ETIMEOUT > ESOCK_ERR_BASE);
    assert_int_not_equal(ESOCK_ETIMEOUT, -ETIMEDOUT);
}

static void test_aliases_keep_their_own_text(void **state)
{
    (void)state;
    /* Linux: EWOULDBLOCK == EAGAIN; the code names the primary atom, and each
     * atom keeps OTP's text. */
    assert_string_equal(esock_errname(-EWOULDBLOCK), "eagain");
    assert_string_equal(esock_format_error_atom("ewouldblock", 11), "operation would block");
    /* EOPNOTSUPP == ENOTSUP: OTP's erl_errno_id names it enotsup (the
     * eopnotsupp case is left out where the two are equal). */
    assert_string_equal(esock_errname(-EOPNOTSUPP), "enotsup");
    assert_string_equal(esock_errname(-ENOTSUP), "enotsup");
    assert_string_equal(esock_format_error(-ENOTSUP), "operation not supported");
    assert_int_equal(esock_errcode("eopnotsupp", 10), -EOPNOTSUPP);
    assert_string_equal(esock_format_error_atom("eopnotsupp", 10), "operation not supported on socket");
    assert_string_equal(esock_format_error_atom("enotsup", 7), "operation not supported");
    /* the other two pairs keep the atom OTP reports on Linux */
    assert_string_equal(esock_errname(-EDEADLOCK), "edeadlk");
}

static void test_unknown_inputs(void **state)
{
    (void)state;
    assert_string_equal(esock_errname(-999999), "unknown");
    /* The most negative int has no negation: still an unknown code. */
    assert_string_equal(esock_errname(INT_MIN), "unknown");
    assert_string_equal(esock_strerror(INT_MIN), "unknown POSIX error");
    /* EILSEQ has an atom (erl_errno_id) but no format_error text. */
    assert_string_equal(esock_errname(-EILSEQ), "eilseq");
    assert_string_equal(esock_format_error(-EILSEQ), "unknown POSIX error");
    assert_int_equal(esock_errcode("eilseq", 6), -EILSEQ);
    assert_string_equal(esock_format_error(-999999), "unknown POSIX error");
    assert_string_equal(esock_format_error_atom("EACCES", 6), "unknown POSIX error");
    assert_int_equal(esock_errcode("EACCES", 6), 0);
    assert_int_equal(esock_errcode("eacces", 5), 0); /* prefix is not a match */
    assert_int_equal(esock_errcode(NULL, 0), 0);
    assert_string_equal(esock_format_error_atom("eacces\0x", 8), "unknown POSIX error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_os_errors_are_negative_errno),
        cmocka_unit_test(test_library_codes_have_names),
        cmocka_unit_test(test_library_block_is_above_every_errno),
        cmocka_unit_test(test_aliases_keep_their_own_text),
        cmocka_unit_test(test_unknown_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
