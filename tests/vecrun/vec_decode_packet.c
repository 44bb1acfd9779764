/*
 * decode_packet.tsv: erlang:decode_packet(Type, Input, Opts). The result is
 * printed from the C structures in the vectors' own notation and compared
 * as text, so every field of the HTTP structures is checked.
 */
#include "vec.h"

#include <esock/error.h>
#include <esock/packet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growable output string. */
struct out {
    char *s;
    size_t len, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        size_t cap = (o->cap ? o->cap * 2 : 256) + n;
        char *ns = realloc(o->s, cap);
        if (ns == NULL)
            abort();
        o->s = ns;
        o->cap = cap;
    }
    memcpy(o->s + o->len, s, n);
    o->len += n;
    o->s[o->len] = '\0';
}

static void puts_(struct out *o, const char *s) { put(o, s, strlen(s)); }

static void put_int(struct out *o, long long v)
{
    char b[32];
    put(o, b, (size_t)snprintf(b, sizeof b, "%lld", v));
}

static void put_hex(struct out *o, const unsigned char *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    if (n == 0) {
        puts_(o, "-");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char b[2] = {hx[p[i] >> 4], hx[p[i] & 15]};
        put(o, b, 2);
    }
}

static void put_quoted(struct out *o, const char *p, size_t n)
{
    puts_(o, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        char b[8];
        if (c == '"' || c == '\\')
            put(o, b, (size_t)snprintf(b, sizeof b, "\\%c", c));
        else if (c == '\t')
            puts_(o, "\\t");
        else if (c == '\n')
            puts_(o, "\\n");
        else if (c == '\r')
            puts_(o, "\\r");
        else if (c >= 0x20 && c < 0x7f)
            put(o, (const char *)&c, 1);
        else
            put(o, b, (size_t)snprintf(b, sizeof b, "\\x%02x", c));
    }
    puts_(o, "\"");
}

/* A string in list or binary form. */
static void put_str(struct out *o, bool bin, esock_http_str_t s)
{
    if (bin && s.len == 0) {
        puts_(o, "<<>>");
        return;
    }
    if (bin)
        puts_(o, "<<");
    put_quoted(o, s.p, s.len);
    if (bin)
        puts_(o, ">>");
}

/* An atom: bare when [a-z][A-Za-z0-9_@]*, else single-quoted. */
static void put_atom(struct out *o, const char *a)
{
    bool bare = a[0] >= 'a' && a[0] <= 'z';
    for (const char *c = a; *c && bare; c++)
        bare = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
               *c == '_' || *c == '@';
    if (!bare)
        puts_(o, "'");
    puts_(o, a);
    if (!bare)
        puts_(o, "'");
}

static void put_version(struct out *o, int major, int minor)
{
    puts_(o, "{");
    put_int(o, major);
    puts_(o, ",");
    put_int(o, minor);
    puts_(o, "}");
}

static void put_http(struct out *o, const esock_http_t *h)
{
    bool b = h->binary;
    switch (h->kind) {
    case ESOCK_HTTP_REQUEST:
        puts_(o, "{http_request,");
        if (h->method)
            put_atom(o, esock_http_method_name(h->method));
        else
            put_str(o, b, h->method_str);
        puts_(o, ",");
        switch (h->uri.kind) {
        case ESOCK_URI_STAR: puts_(o, "'*'"); break;
        case ESOCK_URI_ABS_PATH:
            puts_(o, "{abs_path,");
            put_str(o, b, h->uri.path);
            puts_(o, "}");
            break;
        case ESOCK_URI_ABSOLUTE:
            puts_(o, h->uri.https ? "{absoluteURI,https," : "{absoluteURI,http,");
            put_str(o, b, h->uri.host);
            puts_(o, ",");
            if (h->uri.port)
                put_int(o, h->uri.port);
            else
                puts_(o, "undefined");
            puts_(o, ",");
            put_str(o, b, h->uri.path);
            puts_(o, "}");
            break;
        case ESOCK_URI_SCHEME:
            puts_(o, "{scheme,");
            put_str(o, b, h->uri.scheme);
            puts_(o, ",");
            put_str(o, b, h->uri.path);
            puts_(o, "}");
            break;
        case ESOCK_URI_STRING: put_str(o, b, h->uri.path); break;
        }
        puts_(o, ",");
        put_version(o, h->major, h->minor);
        puts_(o, "}");
        break;
    case ESOCK_HTTP_RESPONSE:
        puts_(o, "{http_response,");
        put_version(o, h->major, h->minor);
        puts_(o, ",");
        put_int(o, h->status);
        puts_(o, ",");
        put_str(o, b, h->reason);
        puts_(o, "}");
        break;
    case ESOCK_HTTP_HEADER:
        puts_(o, "{http_header,");
        put_int(o, h->field_bit);
        puts_(o, ",");
        if (h->field_bit)
            put_atom(o, esock_http_field_name(h->field_bit));
        else
            put_str(o, b, h->field);
        puts_(o, ",");
        put_str(o, b, h->orig_field);
        puts_(o, ",");
        put_str(o, b, h->value);
        puts_(o, "}");
        break;
    case ESOCK_HTTP_EOH: puts_(o, "http_eoh"); break;
    case ESOCK_HTTP_ERROR:
        puts_(o, "{http_error,");
        put_str(o, b, h->line);
        puts_(o, "}");
        break;
    }
}

/* "key=value,..." into opts; -1 when malformed. */
static int parse_opts(const char *f, esock_packet_opts_t *o)
{
    memset(o, 0, sizeof *o);
    if (strcmp(f, "-") == 0)
        return 0;
    char buf[256];
    if (strlen(f) >= sizeof buf)
        return -1;
    strcpy(buf, f);
    for (char *save = NULL, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (eq == NULL)
            return -1;
        *eq = '\0';
        long long v = strtoll(eq + 1, NULL, 10);
        if (strcmp(kv, "packet_size") == 0)
            o->packet_size = v;
        else if (strcmp(kv, "line_length") == 0)
            o->line_length = v;
        else if (strcmp(kv, "line_delimiter") == 0)
            o->has_line_delimiter = true, o->line_delimiter = v;
        else
            return -1;
    }
    return 0;
}

static int line(char **f, int nf, char *msg, size_t cap)
{
    (void)nf;
    int type = esock_packet_type_from_name(f[0], strlen(f[0]));
    esock_packet_opts_t opts;
    struct vec_bytes in;
    if (type < 0 || parse_opts(f[1], &opts) < 0 || vec_hex(f[2], &in) < 0)
        return -1;
    struct out o = {0};
    esock_packet_cfg_t cfg;
    esock_packet_result_t r;
    int rc = esock_packet_config(&cfg, type, &opts);
    if (rc == ESOCK_EBADARG) {
        puts_(&o, "badarg\t-\t-");
    } else if (rc < 0) {
        puts_(&o, "config?");
    } else {
        rc = esock_packet_decode(&cfg, in.p ? in.p : (const unsigned char *)"", in.len, &r);
        if (rc == ESOCK_PACKET_MORE) {
            puts_(&o, "more\t");
            if (r.more)
                put_int(&o, (long long)r.more);
            else
                puts_(&o, "undefined");
            puts_(&o, "\t-");
        } else if (rc == ESOCK_EINVALID) {
            puts_(&o, "error\tinvalid\t-");
        } else if (rc == 0) {
            puts_(&o, "ok\t");
            if (type >= ESOCK_PACKET_HTTP)
                put_http(&o, &r.http);
            else
                put_hex(&o, r.packet, r.packet_len);
            puts_(&o, "\t");
            put_hex(&o, r.rest, r.rest_len);
        } else {
            puts_(&o, "rc?");
            put_int(&o, rc);
        }
    }
    /* expected: fields 3..5 joined by tabs */
    struct out want = {0};
    for (int i = 3; i < 6; i++) {
        if (i > 3)
            puts_(&want, "\t");
        puts_(&want, f[i]);
    }
    int ok = strcmp(o.s, want.s) == 0;
    if (!ok)
        snprintf(msg, cap, "%s %s %.60s: got %.200s, want %.200s", f[0], f[1], f[2], o.s, want.s);
    free(o.s);
    free(want.s);
    free(in.p);
    return ok;
}

const struct vec_kind vec_decode_packet = {"decode_packet.tsv", "#type\toptions\tinput\tresult\tvalue\trest", line};
