/*
 * fuzz/fuzz_optval.c - libFuzzer target for socket option value conversion
 * (src/opt/optval.c): arbitrary bytes are decoded as the OS form of every
 * value type and re-encoded, and arbitrary bytes build a typed value that is
 * encoded and decoded back. Both must round-trip exactly, never read out of
 * bounds and never trip ASan/UBSan.
 *
 * Input: byte 0 picks the value type (mod ESOCK_OVT__COUNT); the rest is the
 * payload. tests/opt (t_fuzz.c) compiles this file in and replays
 * fuzz/corpus/optval/ plus a pseudo-random sweep in the normal test run.
 * To fuzz (from the source root), compile with clang
 * -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined
 * -Iinclude -Isrc this file and every .c file of src/opt, src/socket,
 * src/mbox, src/poll, src/sys, src/addr and src/error (-lpthread), then run
 * the binary on fuzz/corpus/optval.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opt/opt_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct rd {
    const uint8_t *p;
    size_t n;
} rd_t;

static uint64_t rd_u(rd_t *r, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        v <<= 8;
        if (r->n) {
            v |= *r->p++;
            r->n--;
        }
    }
    return v;
}

static esock_ip_t rd_ip(rd_t *r, int family)
{
    esock_ip_t ip;
    memset(&ip, 0, sizeof ip);
    ip.family = (rd_u(r, 1) & 0x80) ? (family == ESOCK_IP4 ? ESOCK_IP6 : ESOCK_IP4) : family;
    for (int i = 0; i < 8; i++)
        ip.u.v6[i] = (uint16_t)rd_u(r, 2);
    if (ip.family == ESOCK_IP4)
        memset(ip.u.v6 + 2, 0, 12);
    return ip;
}

#define MAXSRC 64

/* Build a value of type t from the payload, field by field (no invalid bools). */
static void build(esock_optval_type_t t, rd_t *r, esock_optval_t *v, esock_ip_t *src,
                  unsigned char *bytes, size_t bytes_cap)
{
    memset(v, 0, sizeof *v);
    v->type = t;
    switch (t) {
    case ESOCK_OVT_BOOL:
        v->u.b = rd_u(r, 1) & 1;
        break;
    case ESOCK_OVT_LINGER:
        v->u.linger.onoff = rd_u(r, 1) & 1;
        v->u.linger.linger = (int)(int32_t)rd_u(r, 4);
        break;
    case ESOCK_OVT_TIMEVAL:
        v->u.tv.sec = (int64_t)rd_u(r, 8);
        v->u.tv.usec = (int32_t)rd_u(r, 4);
        break;
    case ESOCK_OVT_IP_MREQ:
        v->u.mreq.multiaddr = rd_ip(r, ESOCK_IP4);
        v->u.mreq.interface = rd_ip(r, ESOCK_IP4);
        break;
    case ESOCK_OVT_IP_MREQ_SOURCE:
        v->u.mreq_source.multiaddr = rd_ip(r, ESOCK_IP4);
        v->u.mreq_source.interface = rd_ip(r, ESOCK_IP4);
        v->u.mreq_source.sourceaddr = rd_ip(r, ESOCK_IP4);
        break;
    case ESOCK_OVT_IP_MSFILTER: {
        v->u.msfilter.null = (rd_u(r, 1) & 7) == 0;
        v->u.msfilter.multiaddr = rd_ip(r, ESOCK_IP4);
        v->u.msfilter.interface = rd_ip(r, ESOCK_IP4);
        v->u.msfilter.mode = (int)(rd_u(r, 1) % 3);
        size_t n = (size_t)(rd_u(r, 1) % (MAXSRC + 1));
        for (size_t i = 0; i < n; i++)
            src[i] = rd_ip(r, ESOCK_IP4);
        v->u.msfilter.nsrc = n;
        v->u.msfilter.slist = (rd_u(r, 1) == 0xff) ? NULL : src;
        break;
    }
    case ESOCK_OVT_IPV6_MREQ:
        v->u.mreq6.multiaddr = rd_ip(r, ESOCK_IP6);
        v->u.mreq6.interface = (unsigned)rd_u(r, 4);
        break;
    case ESOCK_OVT_SCTP_ASSOCPARAMS:
        v->u.assocparams.assoc_id = (int32_t)rd_u(r, 4);
        v->u.assocparams.asocmaxrxt = (uint16_t)rd_u(r, 2);
        v->u.assocparams.number_peer_destinations = (uint16_t)rd_u(r, 2);
        v->u.assocparams.peer_rwnd = (uint32_t)rd_u(r, 4);
        v->u.assocparams.local_rwnd = (uint32_t)rd_u(r, 4);
        v->u.assocparams.cookie_life = (uint32_t)rd_u(r, 4);
        break;
    case ESOCK_OVT_SCTP_EVENT_SUBSCRIBE: {
        unsigned b = (unsigned)rd_u(r, 2);
        esock_sctp_event_subscribe_t *e = &v->u.events;
        e->data_io = b & 1, e->association = b >> 1 & 1, e->address = b >> 2 & 1;
        e->send_failure = b >> 3 & 1, e->peer_error = b >> 4 & 1, e->shutdown = b >> 5 & 1;
        e->partial_delivery = b >> 6 & 1, e->adaptation_layer = b >> 7 & 1;
        e->sender_dry = b >> 8 & 1;
        break;
    }
    case ESOCK_OVT_SCTP_INITMSG:
        v->u.initmsg.num_ostreams = (uint16_t)rd_u(r, 2);
        v->u.initmsg.max_instreams = (uint16_t)rd_u(r, 2);
        v->u.initmsg.max_attempts = (uint16_t)rd_u(r, 2);
        v->u.initmsg.max_init_timeo = (uint16_t)rd_u(r, 2);
        break;
    case ESOCK_OVT_SCTP_RTOINFO:
        v->u.rtoinfo.assoc_id = (int32_t)rd_u(r, 4);
        v->u.rtoinfo.initial = (uint32_t)rd_u(r, 4);
        v->u.rtoinfo.max = (uint32_t)rd_u(r, 4);
        v->u.rtoinfo.min = (uint32_t)rd_u(r, 4);
        break;
    case ESOCK_OVT_STRING: {
        size_t n = (size_t)(rd_u(r, 1) % (sizeof v->u.str.s + 1));
        for (size_t i = 0; i < n && i < sizeof v->u.str.s; i++)
            v->u.str.s[i] = (char)rd_u(r, 1);
        break;
    }
    case ESOCK_OVT_IN_ADDR:
        v->u.ip = rd_ip(r, ESOCK_IP4);
        break;
    case ESOCK_OVT_UCRED:
        v->u.ucred.pid = (int32_t)rd_u(r, 4);
        v->u.ucred.uid = (uint32_t)rd_u(r, 4);
        v->u.ucred.gid = (uint32_t)rd_u(r, 4);
        break;
    case ESOCK_OVT_BYTES: {
        size_t n = (size_t)(rd_u(r, 2) % (bytes_cap + 1));
        for (size_t i = 0; i < n; i++)
            bytes[i] = (unsigned char)rd_u(r, 1);
        v->u.bytes.buf = bytes;
        v->u.bytes.len = n;
        break;
    }
    case ESOCK_OVT_OTP_RCVBUF:
        v->u.rcvbuf.n = (unsigned)rd_u(r, 4);
        v->u.rcvbuf.size = (size_t)rd_u(r, 8);
        break;
    case ESOCK_OVT_OTP_BUFSZ:
        v->u.bufsz = (size_t)rd_u(r, 8);
        break;
    case ESOCK_OVT_META:
        v->u.meta = rd_u(r, 8);
        break;
    default: /* every type carried in u.i */
        v->u.i = (int)(int32_t)rd_u(r, 4);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    esock_optval_type_t t = (esock_optval_type_t)(data[0] % ESOCK_OVT__COUNT);
    data++, size--;

    static unsigned char nat[ESOCK__NATIVE_MAX * 2];
    static unsigned char b1[ESOCK__NATIVE_MAX], b2[ESOCK__NATIVE_MAX];
    size_t len;

    /* 1. OS bytes -> value -> OS bytes -> value: the two values agree. */
    esock_optval_t v, w;
    memset(&v, 0, sizeof v);
    v.u.bytes.buf = b1, v.u.bytes.len = sizeof b1;
    if (esock__optval_from_native(t, data, size, &v) == 0 && t != ESOCK_OVT_TCP_INFO) {
        if (esock__optval_to_native(t, &v, nat, sizeof nat, &len) != 0)
            abort();
        memset(&w, 0, sizeof w);
        w.u.bytes.buf = b2, w.u.bytes.len = sizeof b2;
        if (esock__optval_from_native(t, nat, len, &w) != 0 || !esock__optval_equal(&v, &w))
            abort();
    }

    /* 2. A value built from the bytes -> OS bytes -> value: equal when encodable. */
    static esock_ip_t src[MAXSRC];
    rd_t r = {data, size};
    build(t, &r, &v, src, b1, sizeof b1);
    int rc = esock__optval_to_native(t, &v, nat, sizeof nat, &len);
    if (rc == -ENOSPC && len <= sizeof nat)
        abort(); /* it said it needs what it had */
    if (rc == 0 && len > sizeof nat)
        abort();
    if (rc == 0 && t != ESOCK_OVT_IP_MSFILTER) {
        memset(&w, 0, sizeof w);
        w.u.bytes.buf = b2, w.u.bytes.len = sizeof b2;
        if (esock__optval_from_native(t, nat, len, &w) != 0 || !esock__optval_equal(&v, &w))
            abort();
    }
    return 0;
}
