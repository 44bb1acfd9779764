/*
 * Message flags and control-message encode/decode (pure), and the fuzz
 * target replayed over fuzz/corpus/cmsg plus a pseudo-random sweep.
 */
#include "msg_tests.h"

#include <dirent.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../fuzz/fuzz_cmsg.c"

static void flags_by_name_and_integer(void **state)
{
    (void)state;
    static const struct { const char *name; int flag; } rows[] = {
        {"cmsg_cloexec", MSG_CMSG_CLOEXEC}, {"confirm", MSG_CONFIRM}, {"ctrunc", MSG_CTRUNC},
        {"dontroute", MSG_DONTROUTE}, {"eor", MSG_EOR}, {"errqueue", MSG_ERRQUEUE},
        {"more", MSG_MORE}, {"nosignal", MSG_NOSIGNAL}, {"oob", MSG_OOB}, {"peek", MSG_PEEK},
        {"trunc", MSG_TRUNC}, {"waitall", MSG_WAITALL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        assert_int_equal(esock_msg_flag(rows[i].name), rows[i].flag);
        assert_string_equal(esock_msg_flag_name(rows[i].flag), rows[i].name);
    }
    assert_int_equal(esock_msg_flag("bogus"), ESOCK_EINVAL_FLAG);
    assert_int_equal(esock_msg_flag(NULL), ESOCK_EINVAL_FLAG);
    assert_null(esock_msg_flag_name(0x00080000));
    const char *names[4];
    int rest = 0;
    size_t n = esock_msg_flag_names(MSG_PEEK | MSG_TRUNC | MSG_CTRUNC | 0x00080000, names, 4,
                                    &rest);
    assert_int_equal(n, 3);
    assert_string_equal(names[0], "ctrunc");
    assert_string_equal(names[1], "peek");
    assert_string_equal(names[2], "trunc");
    assert_int_equal(rest, 0x00080000);
    assert_int_equal(esock_msg_flag_names(0, names, 4, &rest), 0);
    assert_int_equal(rest, 0);
}

static void encode_decode_roundtrip(void **state)
{
    (void)state;
    int fds[3] = {5, 6, 7};
    esock_cmsg_t in[10];
    memset(in, 0, sizeof in);
    in[0].kind = ESOCK_CMSG_TIMESTAMP;
    in[0].v.timestamp.sec = 1700000000;
    in[0].v.timestamp.usec = 654321;
    in[1].kind = ESOCK_CMSG_RIGHTS;
    in[1].v.rights.n = 3;
    in[1].v.rights.fds = fds;
    in[2].kind = ESOCK_CMSG_CREDENTIALS;
    in[2].v.cred.pid = 42;
    in[2].v.cred.uid = 1000;
    in[2].v.cred.gid = 100;
    in[3].kind = ESOCK_CMSG_IP_TOS;
    in[3].v.i = 0x10;
    in[4].kind = ESOCK_CMSG_IP_TTL;
    in[4].v.i = 33;
    in[5].kind = ESOCK_CMSG_IP_PKTINFO;
    in[5].v.pktinfo.ifindex = 1;
    esock_parse_address("127.0.0.2", 9, &in[5].v.pktinfo.spec_dst);
    in[6].kind = ESOCK_CMSG_IPV6_HOPLIMIT;
    in[6].v.i = 7;
    in[7].kind = ESOCK_CMSG_IPV6_TCLASS;
    in[7].v.i = 0x20;
    in[8].kind = ESOCK_CMSG_IPV6_PKTINFO;
    in[8].v.pktinfo.ifindex = 3;
    esock_parse_address("fe80::1", 7, &in[8].v.pktinfo.addr);
    in[9].kind = ESOCK_CMSG_RAW;
    in[9].level = 200;
    in[9].type = 9;
    in[9].data = (const uint8_t *)"abc";
    in[9].len = 3;

    size_t need = esock_cmsg_space(in, 10), len = 0;
    assert_true(need > 0);
    uint8_t small[8];
    assert_int_equal(esock_cmsg_encode(small, sizeof small, &len, in, 10), -ENOSPC);
    assert_int_equal(len, need);
    uint8_t *buf = malloc(need); /* exact size: ASan sees any overrun */
    assert_non_null(buf);
    ok(esock_cmsg_encode(buf, need, &len, in, 10));
    assert_int_equal(len, need);
    /* NULLs: refused (-EFAULT, as the socket module does), never a crash */
    size_t pos = 0;
    esock_cmsg_t one;
    assert_int_equal(esock_cmsg_next(buf, len, NULL, &one), -EFAULT);
    assert_int_equal(esock_cmsg_next(buf, len, &pos, NULL), -EFAULT);
    assert_int_equal(pos, 0);
    assert_int_equal(esock_cmsg_encode(small, sizeof small, &len, NULL, 1), -EFAULT);
    assert_int_equal(esock_cmsg_space(NULL, 3), 0);
    assert_null(esock_cmsg_type_name(NULL));
    len = need;

    esock_cmsg_t out[12];
    assert_int_equal(esock_cmsg_decode(buf, len, out, 12), 10);
    assert_int_equal(out[0].kind, ESOCK_CMSG_TIMESTAMP);
    assert_int_equal(out[0].v.timestamp.sec, 1700000000);
    assert_int_equal(out[0].v.timestamp.usec, 654321);
    assert_string_equal(esock_cmsg_level_name(out[0].level), "socket");
    assert_string_equal(esock_cmsg_type_name(&out[0]), "timestamp");
    assert_int_equal(out[1].kind, ESOCK_CMSG_RIGHTS);
    assert_int_equal(out[1].v.rights.n, 3);
    assert_int_equal(esock_cmsg_rights_fd(&out[1], 2), 7);
    assert_int_equal(esock_cmsg_rights_fd(&out[1], 3), -1);
    assert_int_equal(out[2].v.cred.pid, 42);
    assert_int_equal(out[2].v.cred.uid, 1000);
    assert_int_equal(out[2].v.cred.gid, 100);
    assert_int_equal(out[3].kind, ESOCK_CMSG_IP_TOS);
    assert_int_equal(out[3].v.i, 0x10);
    assert_string_equal(esock_cmsg_level_name(out[3].level), "ip");
    assert_int_equal(out[4].v.i, 33);
    assert_int_equal(out[5].kind, ESOCK_CMSG_IP_PKTINFO);
    assert_int_equal(out[5].v.pktinfo.ifindex, 1);
    assert_int_equal(out[5].v.pktinfo.spec_dst.u.v4[3], 2);
    assert_int_equal(out[6].kind, ESOCK_CMSG_IPV6_HOPLIMIT);
    assert_int_equal(out[6].v.i, 7);
    assert_string_equal(esock_cmsg_type_name(&out[6]), "hoplimit");
    assert_int_equal(out[7].v.i, 0x20);
    assert_int_equal(out[8].kind, ESOCK_CMSG_IPV6_PKTINFO);
    assert_int_equal(out[8].v.pktinfo.ifindex, 3);
    assert_int_equal(out[8].v.pktinfo.addr.u.v6[0], 0xfe80);
    assert_int_equal(out[8].v.pktinfo.addr.u.v6[7], 1);
    assert_int_equal(out[9].kind, ESOCK_CMSG_RAW);
    assert_int_equal(out[9].level, 200);
    assert_int_equal(out[9].type, 9);
    assert_int_equal(out[9].len, 3);
    assert_memory_equal(out[9].data, "abc", 3);
    assert_null(esock_cmsg_type_name(&out[9]));
    free(buf);

    /* Values out of range and receive-only kinds cannot be encoded. */
    esock_cmsg_t bad = {.kind = ESOCK_CMSG_IP_TTL};
    bad.v.i = 256;
    assert_int_equal(esock_cmsg_encode(small, sizeof small, &len, &bad, 1), ESOCK_EINVAL_VALUE);
    bad.kind = ESOCK_CMSG_IP_RECVERR;
    assert_int_equal(esock_cmsg_encode(small, sizeof small, &len, &bad, 1), ESOCK_EINVAL_VALUE);
    assert_int_equal(esock_cmsg_space(&bad, 1), 0);
}

/* A hand-made control buffer: the decoder's view of lengths. */
static size_t put(uint8_t *b, size_t pos, size_t cmsg_len, int level, int type,
                  const void *payload, size_t plen)
{
    struct cmsghdr h = {.cmsg_len = cmsg_len, .cmsg_level = level, .cmsg_type = type};
    memcpy(b + pos, &h, sizeof h);
    if (plen)
        memcpy(b + pos + CMSG_LEN(0), payload, plen);
    return pos + CMSG_SPACE(plen);
}

static void decode_checks_lengths(void **state)
{
    (void)state;
    uint8_t b[256];
    memset(b, 0, sizeof b);
    esock_cmsg_t c;
    size_t pos = 0;
    /* cmsg_len shorter than the header */
    put(b, 0, 8, IPPROTO_IP, IP_TTL, NULL, 0);
    assert_int_equal(esock_cmsg_next(b, 64, &pos, &c), ESOCK_EINVALID);
    /* cmsg_len past the buffer */
    put(b, 0, 100, IPPROTO_IP, IP_TTL, NULL, 0);
    pos = 0;
    assert_int_equal(esock_cmsg_next(b, 64, &pos, &c), ESOCK_EINVALID);
    assert_int_equal(esock_cmsg_decode(b, 64, NULL, 0), ESOCK_EINVALID);
    /* a pktinfo with a 2-byte payload is too short: raw */
    pos = 0;
    size_t end = put(b, 0, CMSG_LEN(2), IPPROTO_IP, IP_PKTINFO, "\1\2", 2);
    assert_int_equal(esock_cmsg_next(b, end, &pos, &c), 1);
    assert_int_equal(c.kind, ESOCK_CMSG_RAW);
    assert_int_equal(c.len, 2);
    assert_int_equal(pos, end);
    assert_int_equal(esock_cmsg_next(b, end, &pos, &c), 0);
    /* tail bytes too short for a header end the buffer */
    uint8_t tos = 0x28;
    end = put(b, 0, CMSG_LEN(1), IPPROTO_IP, IP_TOS, &tos, 1);
    assert_int_equal(esock_cmsg_decode(b, end + 3, NULL, 0), 1);
    pos = 0;
    assert_int_equal(esock_cmsg_next(b, end, &pos, &c), 1);
    assert_int_equal(c.v.i, 0x28);
    /* the last message's padding may be missing (CMSG_LEN, not CMSG_SPACE) */
    pos = 0;
    assert_int_equal(esock_cmsg_next(b, CMSG_LEN(1), &pos, &c), 1);
    assert_int_equal(pos, CMSG_LEN(1));
    /* recverr: the extended error and its offender */
    struct {
        struct sock_extended_err ee;
        struct sockaddr_in sin;
    } e;
    memset(&e, 0, sizeof e);
    e.ee.ee_errno = ECONNREFUSED;
    e.ee.ee_origin = SO_EE_ORIGIN_ICMP;
    e.ee.ee_type = 3;
    e.ee.ee_code = 3;
    e.sin.sin_family = AF_INET;
    e.sin.sin_addr.s_addr = htonl(0x7f000001);
    end = put(b, 0, CMSG_LEN(sizeof e), IPPROTO_IP, IP_RECVERR, &e, sizeof e);
    pos = 0;
    assert_int_equal(esock_cmsg_next(b, end, &pos, &c), 1);
    assert_int_equal(c.kind, ESOCK_CMSG_IP_RECVERR);
    assert_int_equal(c.v.err.error, ECONNREFUSED);
    assert_int_equal(c.v.err.origin, ESOCK_EE_ORIGIN_ICMP);
    assert_true(c.v.err.has_offender);
    assert_int_equal(c.v.err.offender.family, ESOCK_FAMILY_INET);
    assert_int_equal(c.v.err.offender.u.in.addr[0], 127);
    /* the offender cut short: the error without it */
    end = put(b, 0, CMSG_LEN(sizeof e.ee + 4), IPPROTO_IP, IP_RECVERR, &e, sizeof e.ee + 4);
    pos = 0;
    assert_int_equal(esock_cmsg_next(b, end, &pos, &c), 1);
    assert_int_equal(c.kind, ESOCK_CMSG_IP_RECVERR);
    assert_false(c.v.err.has_offender);
    /* NULL and empty buffers */
    pos = 0;
    assert_int_equal(esock_cmsg_next(NULL, 0, &pos, &c), 0);
    assert_int_equal(esock_cmsg_decode(b, 0, NULL, 0), 0);
}

static void run_exact(const uint8_t *data, size_t n)
{
    uint8_t *copy = malloc(n ? n : 1); /* exact size, so ASan sees an overread */
    assert_non_null(copy);
    if (n)
        memcpy(copy, data, n);
    LLVMFuzzerTestOneInput(copy, n);
    free(copy);
}

static void fuzz_corpus_and_sweep(void **state)
{
    (void)state;
    DIR *d = opendir(ESOCK_FUZZ_CORPUS);
    assert_non_null(d);
    int files = 0;
    struct dirent *e;
    uint8_t buf[4096];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", ESOCK_FUZZ_CORPUS, e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        run_exact(buf, n);
        /* every prefix and every one-byte change of the seed */
        for (size_t k = 0; k < n; k++)
            run_exact(buf, k);
        for (size_t k = 0; k < n; k++) {
            uint8_t save = buf[k];
            buf[k] ^= 0xff;
            run_exact(buf, n);
            buf[k] = (uint8_t)(save + 1);
            run_exact(buf, n);
            buf[k] = save;
        }
        files++;
    }
    closedir(d);
    assert_true(files >= 10);
    /* Random buffers made of plausible headers. */
    uint32_t x = 12345;
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        while (n + 32 < sizeof buf / 8) {
            x = x * 1103515245u + 12345u;
            size_t plen = (x >> 8) % 40;
            int levels[] = {SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6, 77};
            int level = levels[(x >> 20) % 4];
            int type = (int)((x >> 4) % 70);
            size_t cl = (x >> 28) == 0 ? (x >> 10) % 64 : CMSG_LEN(plen);
            struct cmsghdr h = {.cmsg_len = cl, .cmsg_level = level, .cmsg_type = type};
            memcpy(buf + n, &h, sizeof h);
            for (size_t k = 0; k < plen; k++)
                buf[n + CMSG_LEN(0) + k] = (uint8_t)(x >> (k % 24));
            n += CMSG_SPACE(plen);
            if ((x & 7) == 0)
                break;
        }
        run_exact(buf, n - (x % 3 == 0 && n > 0 ? (x >> 5) % 8 : 0));
    }
}

const struct CMUnitTest cmsg_tests[] = {
    cmocka_unit_test(flags_by_name_and_integer),
    cmocka_unit_test(encode_decode_roundtrip),
    cmocka_unit_test(decode_checks_lengths),
    cmocka_unit_test(fuzz_corpus_and_sweep),
};
const size_t cmsg_count = sizeof cmsg_tests / sizeof cmsg_tests[0];
