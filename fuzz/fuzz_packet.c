/*
 * fuzz/fuzz_packet.c - libFuzzer target for the packet framing engine
 * (src/packet). Byte 0 selects the type (low nibble, modulo the type count)
 * and the options (high nibble); the rest is a receive buffer decoded packet
 * by packet, switching http <-> httph as the inet layer does. Checks: no
 * read outside the input, results inside the input, rest + consumed = input,
 * "more" only asks for more than is there, and every decode of a prefix
 * that completes agrees with the decode of the whole.
 *
 * Replayed over fuzz/corpus/packet/ in the normal test run (replay_packet).
 * To fuzz (from a build configured with CC=clang -DESOCK_FUZZ=ON):
 *   ./fuzz/fuzz_packet -max_total_time=60 ../../fuzz/corpus/packet
 */
#include <esock/error.h>
#include <esock/packet.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_bytes(esock_http_str_t b, const uint8_t *lo, const uint8_t *hi, const esock_http_t *h)
{
    if (b.len == 0)
        return;
    const char *p = b.p;
    /* inside the input, the result's own name buffer, or a static name */
    int in_input = (const uint8_t *)p >= lo && (const uint8_t *)p + b.len <= hi;
    int in_name = p >= h->name_buf && p + b.len <= h->name_buf + sizeof h->name_buf;
    if (!in_input && !in_name && strlen(p) < b.len)
        abort();
    volatile unsigned sum = 0; /* touch every byte */
    for (size_t i = 0; i < b.len; i++)
        sum += (unsigned char)p[i];
    (void)sum;
}

static void check_http(const esock_http_t *h, const uint8_t *lo, const uint8_t *hi)
{
    switch (h->kind) {
    case ESOCK_HTTP_REQUEST:
        check_bytes(h->method_str, lo, hi, h);
        check_bytes(h->uri.scheme, lo, hi, h);
        check_bytes(h->uri.host, lo, hi, h);
        check_bytes(h->uri.path, lo, hi, h);
        if (h->method && esock_http_method_name(h->method) == NULL)
            abort();
        break;
    case ESOCK_HTTP_RESPONSE: check_bytes(h->reason, lo, hi, h); break;
    case ESOCK_HTTP_HEADER:
        check_bytes(h->field, lo, hi, h);
        check_bytes(h->orig_field, lo, hi, h);
        check_bytes(h->value, lo, hi, h);
        if (h->field_bit && esock_http_field_name(h->field_bit) == NULL)
            abort();
        break;
    case ESOCK_HTTP_EOH: break;
    case ESOCK_HTTP_ERROR: check_bytes(h->line, lo, hi, h); break;
    default: abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const uint32_t sizes[] = {0, 1, 4, 16, 100, 0, 0, 0};
    int type = data[0] % ESOCK_PACKET_TYPE_COUNT;
    unsigned sel = data[0] >> 4;
    esock_packet_opts_t o = {0};
    o.packet_size = sizes[sel & 7];
    if (sel & 8)
        o.line_length = 1 + (sel & 7) * 3;
    if (type == ESOCK_PACKET_LINE && (sel & 7) == 7)
        o.has_line_delimiter = true, o.line_delimiter = ';';
    esock_packet_cfg_t cfg;
    if (esock_packet_config(&cfg, type, &o) != 0)
        abort();

    const uint8_t *p = data + 1, *end = data + size;
    for (int guard = 0; guard < 100000; guard++) {
        size_t n = (size_t)(end - p);
        esock_packet_result_t r;
        int rc = esock_packet_decode(&cfg, p, n, &r);
        if (rc == ESOCK_PACKET_MORE) {
            if (r.more != 0 && r.more <= n)
                abort();
            break;
        }
        if (rc == ESOCK_EINVALID)
            break;
        if (rc != 0)
            abort();
        if (r.packet < p || r.packet + r.packet_len > end || r.rest + r.rest_len != end || r.rest < p)
            abort();
        size_t used = (size_t)(r.rest - p);
        if (cfg.type >= ESOCK_PACKET_HTTP)
            check_http(&r.http, p, p + used);
        else
            check_bytes((esock_http_str_t){(const char *)r.packet, r.packet_len}, p, p + used, &r.http);
        /* the same packet from exactly its own bytes (not raw: it takes all;
         * not httph: a header needs the byte after it) */
        if (cfg.type != ESOCK_PACKET_RAW && cfg.type != ESOCK_PACKET_HTTPH &&
            cfg.type != ESOCK_PACKET_HTTPH_BIN && cfg.type != ESOCK_PACKET_LINE) {
            uint8_t *copy = malloc(used ? used : 1);
            if (copy == NULL)
                abort();
            memcpy(copy, p, used);
            esock_packet_result_t r2;
            if (esock_packet_decode(&cfg, copy, used, &r2) != 0 || r2.rest_len != 0 ||
                r2.packet_len != r.packet_len || memcmp(r2.packet, r.packet, r.packet_len) != 0)
                abort();
            free(copy);
        }
        if (used == 0)
            break;
        p += used;
        cfg.type = esock_packet_next_type(cfg.type, &r);
    }
    return 0;
}
