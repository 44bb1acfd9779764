/* Value conversion to and from the OS form (pure). */
#include <string.h>

#include "opt_tests.h"
#include "opt/optsys.h"

static esock_ip_t ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    esock_ip_t ip;
    memset(&ip, 0, sizeof ip);
    ip.family = ESOCK_IP4;
    ip.u.v4[0] = a, ip.u.v4[1] = b, ip.u.v4[2] = c, ip.u.v4[3] = d;
    return ip;
}

static void roundtrip(const esock_optval_t *v)
{
    unsigned char buf[ESOCK__NATIVE_MAX];
    size_t len;
    assert_int_equal(esock__optval_to_native(v->type, v, buf, sizeof buf, &len), 0);
    esock_optval_t back;
    assert_int_equal(esock__optval_from_native(v->type, buf, len, &back), 0);
    assert_true(esock__optval_equal(v, &back));
}

static void every_native_type_roundtrips(void **state)
{
    (void)state;
    esock_optval_t v;
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_BOOL, v.u.b = true;
    roundtrip(&v);
    v.type = ESOCK_OVT_INT, v.u.i = -12345;
    roundtrip(&v);
    v.type = ESOCK_OVT_IP_TOS, v.u.i = ESOCK_IPTOS_LOWDELAY;
    roundtrip(&v);
    v.type = ESOCK_OVT_IPV6_HOPS, v.u.i = ESOCK_IPV6_HOPS_DEFAULT;
    roundtrip(&v);
    for (int m = ESOCK_PMTUDISC_WANT; m <= ESOCK_PMTUDISC_PROBE; m++) {
        v.type = ESOCK_OVT_IP_PMTUDISC, v.u.i = m;
        roundtrip(&v);
        v.type = ESOCK_OVT_IPV6_PMTUDISC, v.u.i = m;
        roundtrip(&v);
    }
    v.type = ESOCK_OVT_ERROR, v.u.i = -ECONNREFUSED;
    roundtrip(&v);
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_LINGER, v.u.linger.onoff = true, v.u.linger.linger = 7;
    roundtrip(&v);
    v.type = ESOCK_OVT_TIMEVAL, v.u.tv.sec = 3, v.u.tv.usec = 999999;
    roundtrip(&v);
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_IP_MREQ, v.u.mreq.multiaddr = ip4(224, 0, 0, 251);
    v.u.mreq.interface = ip4(127, 0, 0, 1);
    roundtrip(&v);
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_IP_MREQ_SOURCE, v.u.mreq_source.multiaddr = ip4(232, 1, 2, 3);
    v.u.mreq_source.interface = ip4(127, 0, 0, 1);
    v.u.mreq_source.sourceaddr = ip4(10, 0, 0, 1);
    roundtrip(&v);
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_IPV6_MREQ, v.u.mreq6.multiaddr.family = ESOCK_IP6;
    v.u.mreq6.multiaddr.u.v6[0] = 0xff02, v.u.mreq6.multiaddr.u.v6[7] = 0x1234;
    v.u.mreq6.interface = 1;
    roundtrip(&v);
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_IN_ADDR, v.u.ip = ip4(127, 0, 0, 1);
    roundtrip(&v);
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_STRING;
    strcpy(v.u.str.s, "cubic");
    roundtrip(&v);
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_UCRED, v.u.ucred.pid = 42, v.u.ucred.uid = 1000, v.u.ucred.gid = 100;
    roundtrip(&v);
#ifdef ESOCK_HAVE_SCTP_H
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_SCTP_INITMSG, v.u.initmsg.num_ostreams = 10, v.u.initmsg.max_instreams = 11;
    v.u.initmsg.max_attempts = 3, v.u.initmsg.max_init_timeo = 65535;
    roundtrip(&v);
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_SCTP_RTOINFO, v.u.rtoinfo.assoc_id = 5, v.u.rtoinfo.initial = 3000;
    v.u.rtoinfo.max = 60000, v.u.rtoinfo.min = 1000;
    roundtrip(&v);
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_SCTP_ASSOCPARAMS, v.u.assocparams.assoc_id = 1;
    v.u.assocparams.asocmaxrxt = 10, v.u.assocparams.cookie_life = 60000;
    roundtrip(&v);
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_SCTP_EVENT_SUBSCRIBE, v.u.events.data_io = true, v.u.events.shutdown = true;
    v.u.events.sender_dry = true;
    roundtrip(&v);
#endif
    unsigned char raw[4] = {1, 2, 3, 4}, back[4] = {0};
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_BYTES, v.u.bytes.buf = raw, v.u.bytes.len = 4;
    unsigned char nb[8];
    size_t len;
    assert_int_equal(esock__optval_to_native(ESOCK_OVT_BYTES, &v, nb, sizeof nb, &len), 0);
    esock_optval_t o;
    o.u.bytes.buf = back, o.u.bytes.len = sizeof back;
    assert_int_equal(esock__optval_from_native(ESOCK_OVT_BYTES, nb, len, &o), 0);
    assert_true(esock__optval_equal(&v, &o));
}

static int enc(const esock_optval_t *v)
{
    unsigned char buf[ESOCK__NATIVE_MAX];
    size_t len;
    return esock__optval_to_native(v->type, v, buf, sizeof buf, &len);
}

static void out_of_range_values_are_rejected(void **state)
{
    (void)state;
    esock_optval_t v;
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_IP_TOS, v.u.i = 256;
    assert_int_equal(enc(&v), ESOCK_EINVAL_VALUE);
    v.u.i = -1;
    assert_int_equal(enc(&v), ESOCK_EINVAL_VALUE);
    v.type = ESOCK_OVT_IPV6_HOPS, v.u.i = -2;
    assert_int_equal(enc(&v), ESOCK_EINVAL_VALUE);
    v.u.i = 256;
    assert_int_equal(enc(&v), ESOCK_EINVAL_VALUE);
    v.type = ESOCK_OVT_IP_PMTUDISC, v.u.i = 4;
    assert_int_equal(enc(&v), ESOCK_EINVAL_VALUE);
    v.type = ESOCK_OVT_LINGER, v.u.linger.onoff = true, v.u.linger.linger = -1;
    assert_int_equal(enc(&v), ESOCK_EINVAL_VALUE);
    v.type = ESOCK_OVT_TIMEVAL, v.u.tv.sec = 1, v.u.tv.usec = 1000000;
    assert_int_equal(enc(&v), ESOCK_EINVAL_VALUE);
    v.u.tv.sec = -1, v.u.tv.usec = 0;
    assert_int_equal(enc(&v), ESOCK_EINVAL_VALUE);
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_IP_MREQ; /* family 0: not IPv4 */
    assert_int_equal(enc(&v), ESOCK_EINVAL_VALUE);
    v.type = ESOCK_OVT_IPV6_MREQ;
    v.u.mreq6.multiaddr = (esock_ip_t){.family = ESOCK_IP4};
    assert_int_equal(enc(&v), ESOCK_EINVAL_VALUE);
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_IN_ADDR, v.u.ip.family = ESOCK_IP6;
    assert_int_equal(enc(&v), ESOCK_EINVAL_VALUE);
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_STRING;
    memset(v.u.str.s, 'a', sizeof v.u.str.s); /* no NUL */
    assert_int_equal(enc(&v), ESOCK_EINVAL_VALUE);
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_BYTES, v.u.bytes.len = 3; /* NULL buffer */
    assert_int_equal(enc(&v), ESOCK_EINVAL_VALUE);
    /* type tag must match */
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_INT;
    unsigned char buf[16];
    size_t len;
    assert_int_equal(esock__optval_to_native(ESOCK_OVT_BOOL, &v, buf, sizeof buf, &len),
                     ESOCK_EINVAL_VALUE);
    /* non-native types never reach the OS */
    v.type = ESOCK_OVT_OTP_RCVBUF;
    assert_int_equal(enc(&v), ESOCK_EINVAL_VALUE);
}

static void short_native_values_are_rejected(void **state)
{
    (void)state;
    unsigned char buf[ESOCK__NATIVE_MAX] = {0};
    esock_optval_t v;
    const esock_optval_type_t fixed[] = {ESOCK_OVT_LINGER, ESOCK_OVT_TIMEVAL, ESOCK_OVT_IP_MREQ,
                                         ESOCK_OVT_IP_MREQ_SOURCE, ESOCK_OVT_IPV6_MREQ,
                                         ESOCK_OVT_IN_ADDR};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        size_t need = esock__optval_native_size(fixed[i]);
        assert_true(need > 1);
        assert_int_equal(esock__optval_from_native(fixed[i], buf, need - 1, &v), ESOCK_EINVAL_VALUE);
        assert_int_equal(esock__optval_from_native(fixed[i], buf, need, &v), 0);
    }
    /* an int accepts the byte form Linux uses for some IP options */
    buf[0] = 7;
    assert_int_equal(esock__optval_from_native(ESOCK_OVT_INT, buf, 1, &v), 0);
    assert_int_equal(v.u.i, 7);
    assert_int_equal(esock__optval_from_native(ESOCK_OVT_INT, buf, 2, &v), ESOCK_EINVAL_VALUE);
    assert_int_equal(esock__optval_from_native(ESOCK_OVT_INT, buf, 0, &v), ESOCK_EINVAL_VALUE);
    /* booleans: any non-zero int is true */
    int n = 42;
    assert_int_equal(esock__optval_from_native(ESOCK_OVT_BOOL, &n, sizeof n, &v), 0);
    assert_true(v.u.b);
    /* strings stop at the first NUL; an unterminated name is cut at len */
    assert_int_equal(esock__optval_from_native(ESOCK_OVT_STRING, "lo\0xx", 5, &v), 0);
    assert_string_equal(v.u.str.s, "lo");
    assert_int_equal(esock__optval_from_native(ESOCK_OVT_STRING, "bbrXX", 3, &v), 0);
    assert_string_equal(v.u.str.s, "bbr");
    assert_int_equal(esock__optval_from_native(ESOCK_OVT_STRING, "", 0, &v), 0);
    assert_string_equal(v.u.str.s, "");
    /* SO_ERROR becomes -errno */
    n = ECONNRESET;
    assert_int_equal(esock__optval_from_native(ESOCK_OVT_ERROR, &n, sizeof n, &v), 0);
    assert_int_equal(v.u.i, -ECONNRESET);
}

static void msfilter_encoding(void **state)
{
    (void)state;
    esock_ip_t src[3] = {ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), ip4(10, 0, 0, 3)};
    esock_optval_t v;
    memset(&v, 0, sizeof v);
    v.type = ESOCK_OVT_IP_MSFILTER;
    v.u.msfilter.multiaddr = ip4(232, 1, 1, 1);
    v.u.msfilter.interface = ip4(127, 0, 0, 1);
    v.u.msfilter.mode = ESOCK_MCAST_INCLUDE;
    v.u.msfilter.nsrc = 3;
    v.u.msfilter.slist = src;
    unsigned char small[8];
    size_t len;
    assert_int_equal(esock__optval_to_native(v.type, &v, small, sizeof small, &len), -ENOSPC);
    assert_int_equal(len, IP_MSFILTER_SIZE(3));
    unsigned char buf[ESOCK__NATIVE_MAX];
    assert_int_equal(esock__optval_to_native(v.type, &v, buf, sizeof buf, &len), 0);
    struct ip_msfilter f;
    memcpy(&f, buf, sizeof f);
    assert_int_equal(f.imsf_numsrc, 3);
    assert_int_equal(f.imsf_fmode, MCAST_INCLUDE);
    assert_memory_equal(buf + offsetof(struct ip_msfilter, imsf_slist) + 8, src[2].u.v4, 4);
    v.u.msfilter.null = true;
    assert_int_equal(esock__optval_to_native(v.type, &v, buf, sizeof buf, &len), 0);
    assert_int_equal(len, 0);
    v.u.msfilter.null = false, v.u.msfilter.mode = 7;
    assert_int_equal(esock__optval_to_native(v.type, &v, buf, sizeof buf, &len), ESOCK_EINVAL_VALUE);
    v.u.msfilter.mode = ESOCK_MCAST_EXCLUDE, v.u.msfilter.slist = NULL;
    assert_int_equal(esock__optval_to_native(v.type, &v, buf, sizeof buf, &len), ESOCK_EINVAL_VALUE);
    /* set only: it cannot be decoded */
    assert_int_equal(esock__optval_from_native(ESOCK_OVT_IP_MSFILTER, buf, sizeof buf, &v),
                     ESOCK_EINVAL_VALUE);
}

static void otp_values(void **state)
{
    (void)state;
    esock_optval_t in, out;
    memset(&in, 0, sizeof in);
    in.type = ESOCK_OVT_OTP_RCVBUF; /* {0, 0}: the default, one read */
    assert_int_equal(esock__otp_normalize(ESOCK_OPT_OTP_RCVBUF, &in, &out), 0);
    assert_int_equal(out.u.rcvbuf.n, 1);
    assert_int_equal(out.u.rcvbuf.size, 8192);
    in.u.rcvbuf.n = 3, in.u.rcvbuf.size = 1024; /* OTP: set {3,1024}, get {3,1024} */
    assert_int_equal(esock__otp_normalize(ESOCK_OPT_OTP_RCVBUF, &in, &out), 0);
    assert_int_equal(out.u.rcvbuf.n, 3);
    assert_int_equal(out.u.rcvbuf.size, 1024);
    in.u.rcvbuf.size = 0; /* OTP: set {3, default}, get {3, 8192} */
    assert_int_equal(esock__otp_normalize(ESOCK_OPT_OTP_RCVBUF, &in, &out), 0);
    assert_int_equal(out.u.rcvbuf.n, 3);
    assert_int_equal(out.u.rcvbuf.size, 8192);
    in.u.rcvbuf.n = 4, in.u.rcvbuf.size = (size_t)1 << 29;
    assert_int_equal(esock__otp_normalize(ESOCK_OPT_OTP_RCVBUF, &in, &out), ESOCK_EINVAL_VALUE);
    memset(&in, 0, sizeof in);
    in.type = ESOCK_OVT_OTP_BUFSZ;
    assert_int_equal(esock__otp_normalize(ESOCK_OPT_OTP_RCVCTRLBUF, &in, &out), 0);
    assert_int_equal(out.u.bufsz, 1024);
    in.u.bufsz = 77;
    assert_int_equal(esock__otp_normalize(ESOCK_OPT_OTP_SNDCTRLBUF, &in, &out), 0);
    assert_int_equal(out.u.bufsz, 77);
    /* debug takes a boolean, not an integer (OTP: {invalid, {socket_option, {otp,debug}, 1}}) */
    in.type = ESOCK_OVT_INT, in.u.i = 1;
    assert_int_equal(esock__otp_normalize(ESOCK_OPT_OTP_DEBUG, &in, &out), ESOCK_EINVAL_VALUE);
    /* get-only otp options cannot be set */
    in.type = ESOCK_OVT_BOOL, in.u.b = false;
    assert_int_equal(esock__otp_normalize(ESOCK_OPT_OTP_USE_REGISTRY, &in, &out), ESOCK_EINVAL_OPTION);
    in.type = ESOCK_OVT_INT;
    assert_int_equal(esock__otp_normalize(ESOCK_OPT_OTP_FD, &in, &out), ESOCK_EINVAL_OPTION);
    assert_int_equal(esock__otp_normalize(ESOCK_OPT_SOCKET_RCVBUF, &in, &out), ESOCK_EINVAL_OPTION);
}

const struct CMUnitTest opt_val_tests[] = {
    cmocka_unit_test(otp_values),
    cmocka_unit_test(every_native_type_roundtrips),
    cmocka_unit_test(out_of_range_values_are_rejected),
    cmocka_unit_test(short_native_values_are_rejected),
    cmocka_unit_test(msfilter_encoding),
};
OPT_NTESTS(opt_val);
