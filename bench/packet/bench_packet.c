/*
 * bench_packet: decode throughput of esock_packet_decode per type on
 * realistic inputs, next to a plain length/memchr loop (the ceiling).
 *   bench_packet            print "case messages esock_ns ceiling_ns bytes
 *                           decodes" (decodes: successful decode calls per
 *                           pass over the buffer)
 *   bench_packet --dump DIR write each case's input to DIR/<case>.bin, and
 *                           "<erlang type> <messages> <decodes>" to
 *                           DIR/<case>.type, for erl_decode.escript
 * Times are nanoseconds per message (a packet, a line, or a whole HTTP
 * request/response with its headers), best of 11 rounds of 40 ms; esock and
 * ceiling rounds alternate, so that a burst of load from elsewhere hits
 * both rather than one.
 */
#include <esock/packet.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bcase {
    const char *name;
    int type;
    unsigned char *buf;
    size_t len;
    long msgs; /* messages in buf */
};

static size_t put(unsigned char **b, size_t *cap, size_t len, const void *p, size_t n)
{
    if (len + n > *cap) {
        *cap = (len + n) * 2;
        *b = realloc(*b, *cap);
        if (*b == NULL)
            abort();
    }
    memcpy(*b + len, p, n);
    return len + n;
}

static void make_len(struct bcase *c, const char *name, int type, size_t body, long count)
{
    unsigned char *b = NULL, hdr[4], *data = malloc(body);
    size_t cap = 0, len = 0;
    for (size_t i = 0; i < body; i++)
        data[i] = (unsigned char)(i * 7 + 3);
    for (long i = 0; i < count; i++) {
        int h = esock_packet_put_header(type, body, hdr);
        len = put(&b, &cap, len, hdr, (size_t)h);
        len = put(&b, &cap, len, data, body);
    }
    free(data);
    *c = (struct bcase){name, type, b, len, count};
}

static const char request[] =
    "GET /search?q=esock+decode_packet&lang=en HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Referer: https://www.example.com/\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: session=4f1c2a9e8b7d6c5e; theme=dark; tz=Europe%2FStockholm\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Sec-Fetch-User: ?1\r\n"
    "Cache-Control: max-age=0\r\n"
    "\r\n";

static const char response[] =
    "HTTP/1.1 200 OK\r\n"
    "Date: Mon, 23 Nov 2026 07:00:00 GMT\r\n"
    "Server: esock-bench/1.0\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Length: 5120\r\n"
    "Cache-Control: private, max-age=0\r\n"
    "Set-Cookie: session=4f1c2a9e8b7d6c5e; Path=/; HttpOnly\r\n"
    "Vary: Accept-Encoding\r\n"
    "\r\n";

static void make_text(struct bcase *c, const char *name, int type, const char *msg, long count)
{
    unsigned char *b = NULL;
    size_t cap = 0, len = 0;
    for (long i = 0; i < count; i++)
        len = put(&b, &cap, len, msg, strlen(msg));
    *c = (struct bcase){name, type, b, len, count};
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile size_t sink;

/* One pass of esock over the whole buffer; returns packets decoded. */
static long pass_esock(const struct bcase *c)
{
    esock_packet_cfg_t cfg;
    esock_packet_config(&cfg, c->type, NULL);
    const unsigned char *p = c->buf;
    size_t n = c->len, acc = 0;
    long pk = 0;
    esock_packet_result_t r;
    bool http = c->type >= ESOCK_PACKET_HTTP;
    while (esock_packet_decode(&cfg, p, n, &r) == 0) {
        p = r.rest;
        n = r.rest_len;
        pk++;
        if (http) { /* only HTTP streams switch types (inet does the same) */
            acc += (size_t)r.http.kind;
            cfg.type = esock_packet_next_type(cfg.type, &r);
        } else {
            acc += r.packet_len;
        }
    }
    sink += acc;
    return pk;
}

/* The ceiling: read the length or find the newline, nothing else. */
static long pass_ceiling(const struct bcase *c)
{
    const unsigned char *p = c->buf, *end = c->buf + c->len;
    size_t acc = 0;
    long pk = 0;
    int h = esock_packet_header_size(c->type);
    while (p < end) {
        size_t blen;
        if (h > 0) {
            if ((size_t)(end - p) < (size_t)h)
                break;
            /* direct loads per header size: the tightest plain loop */
            blen = h == 1 ? p[0]
                 : h == 2 ? (size_t)p[0] << 8 | p[1]
                          : (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
            if ((size_t)(end - p) - (size_t)h < blen)
                break;
            acc += blen;
            p += (size_t)h + blen;
        } else {
            const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
            if (nl == NULL)
                break;
            acc += (size_t)(nl - p);
            p = nl + 1;
        }
        pk++;
    }
    sink += acc;
    return pk;
}

/* Repeats f over c for at least 40 ms; ns per message. */
static double round_ns(long (*f)(const struct bcase *), const struct bcase *c)
{
    int reps = 0;
    double t0 = now(), t;
    do {
        f(c);
        reps++;
    } while ((t = now()) - t0 < 4e7);
    return (t - t0) / reps / (double)c->msgs;
}

/* Best of 11 rounds of each, esock and ceiling rounds alternating. */
static void best_ns(const struct bcase *c, double *esock, double *ceiling)
{
    *esock = *ceiling = 1e300;
    for (int round = 0; round < 11; round++) {
        double e = round_ns(pass_esock, c), x = round_ns(pass_ceiling, c);
        if (e < *esock)
            *esock = e;
        if (x < *ceiling)
            *ceiling = x;
    }
}

int main(int argc, char **argv)
{
    struct bcase cs[8];
    int n = 0;
    make_len(&cs[n++], "p1_small", ESOCK_PACKET_1, 32, 20000);
    make_len(&cs[n++], "p2_small", ESOCK_PACKET_2, 32, 20000);
    make_len(&cs[n++], "p4_small", ESOCK_PACKET_4, 32, 20000);
    make_len(&cs[n++], "p4_large", ESOCK_PACKET_4, 16384, 64);
    {
        static const char l80[] = "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor.\n";
        make_text(&cs[n++], "line", ESOCK_PACKET_LINE, l80, 20000);
    }
    make_text(&cs[n++], "http_request", ESOCK_PACKET_HTTP_BIN, request, 2000);
    make_text(&cs[n++], "http_response", ESOCK_PACKET_HTTP_BIN, response, 2000);

    static const char *const erl_types[] = {
        [ESOCK_PACKET_1] = "1", [ESOCK_PACKET_2] = "2", [ESOCK_PACKET_4] = "4",
        [ESOCK_PACKET_LINE] = "line", [ESOCK_PACKET_HTTP_BIN] = "http_bin",
    };
    if (argc == 3 && strcmp(argv[1], "--dump") == 0) {
        for (int i = 0; i < n; i++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s.bin", argv[2], cs[i].name);
            FILE *f = fopen(path, "wb");
            if (f == NULL || fwrite(cs[i].buf, 1, cs[i].len, f) != cs[i].len)
                return 1;
            fclose(f);
            snprintf(path, sizeof path, "%s/%s.type", argv[2], cs[i].name);
            f = fopen(path, "w");
            if (f == NULL)
                return 1;
            fprintf(f, "%s %ld %ld\n", erl_types[cs[i].type], cs[i].msgs, pass_esock(&cs[i]));
            fclose(f);
        }
        return 0;
    }
    printf("# case messages esock_ns ceiling_ns bytes_per_msg decodes_per_pass\n");
    const char *only = getenv("BENCH_ONLY"); /* one case, for profiling */
    for (int i = 0; i < n; i++) {
        if (only && strcmp(only, cs[i].name) != 0)
            continue;
        long pk = pass_esock(&cs[i]);
        long expect = cs[i].type >= ESOCK_PACKET_HTTP ? -1 : cs[i].msgs;
        if (expect >= 0 && pk != expect) {
            fprintf(stderr, "%s: decoded %ld packets, want %ld\n", cs[i].name, pk, expect);
            return 1;
        }
        double e, c;
        best_ns(&cs[i], &e, &c);
        printf("%s %ld %.1f %.1f %zu %ld\n", cs[i].name, cs[i].msgs, e, c, cs[i].len / (size_t)cs[i].msgs, pk);
        free(cs[i].buf);
    }
    return 0;
}
