/*
 * fuzz/fuzz_cmsg.c - libFuzzer target for control-message decoding
 * (src/socket/cmsg.c): arbitrary bytes are decoded as a recvmsg control
 * buffer. Decoding must never read outside the input, never loop forever,
 * and every message it decodes as a sendable kind must encode and decode
 * back to the same kind and value.
 *
 * tests/socket_msg (t_cmsg.c) compiles this file in and replays
 * fuzz/corpus/cmsg/ plus a pseudo-random sweep in the normal test run.
 * To fuzz (from the source root):
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -Iinclude -Isrc fuzz/fuzz_cmsg.c src/socket/cmsg.c src/addr/\*.c \
 *     src/error/\*.c -o fuzz_cmsg && ./fuzz_cmsg fuzz/corpus/cmsg
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <esock/cmsg.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_roundtrip(const esock_cmsg_t *c)
{
    uint8_t buf[1024];
    size_t len = 0;
    esock_cmsg_t in = *c;
    if (in.kind == ESOCK_CMSG_RIGHTS)
        return; /* the decoded form has no fd array to send */
    if (in.kind == ESOCK_CMSG_RAW && in.len > 512)
        return;
    if (esock_cmsg_encode(buf, sizeof buf, &len, &in, 1) != 0)
        return; /* not sendable, or out of range */
    size_t pos = 0;
    esock_cmsg_t out;
    if (esock_cmsg_next(buf, len, &pos, &out) != 1 || out.kind != in.kind ||
        out.level != in.level || out.type != in.type)
        abort();
    switch (in.kind) {
    case ESOCK_CMSG_IP_TOS:
    case ESOCK_CMSG_IP_TTL:
    case ESOCK_CMSG_IPV6_HOPLIMIT:
    case ESOCK_CMSG_IPV6_TCLASS:
        if (out.v.i != in.v.i)
            abort();
        break;
    case ESOCK_CMSG_CREDENTIALS:
        if (memcmp(&out.v.cred, &in.v.cred, sizeof in.v.cred) != 0)
            abort();
        break;
    case ESOCK_CMSG_RAW:
        if (out.len != in.len || (in.len && memcmp(out.data, in.data, in.len) != 0))
            abort();
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pos = 0, prev = 0;
    esock_cmsg_t c;
    int rc, n = 0;
    while ((rc = esock_cmsg_next(data, size, &pos, &c)) == 1) {
        if (pos <= prev || pos > size) /* always progresses, never past the end */
            abort();
        prev = pos;
        n++;
        if (c.len > 0 && (c.data < data || c.data + c.len > data + size))
            abort();
        (void)esock_cmsg_level_name(c.level);
        (void)esock_cmsg_type_name(&c);
        if (c.kind == ESOCK_CMSG_RIGHTS)
            for (size_t i = 0; i <= c.v.rights.n; i++)
                (void)esock_cmsg_rights_fd(&c, i);
        check_roundtrip(&c);
    }
    int all = esock_cmsg_decode(data, size, NULL, 0);
    if (rc == 0 ? all != n : all != rc)
        abort();
    return 0;
}
