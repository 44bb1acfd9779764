/*
 * esock decode: erlang:decode_packet/3 over a byte stream, packet by packet.
 * Default output: one Erlang term per packet (<<...>> binaries, HTTP terms).
 * --tsv: one decode_packet/3 call on the whole input, printed as the
 * result/value/rest columns of tests/vectors/decode_packet.tsv.
 */

#include "cli.h"

#include <stdlib.h>
#include <string.h>

static void put_str(FILE *f, bool bin, esock_http_str_t b)
{
    if (bin && b.len == 0) {
        fputs("<<>>", f);
        return;
    }
    if (bin)
        fputs("<<", f);
    term_qbytes(f, b.p, b.len);
    if (bin)
        fputs(">>", f);
}

static void put_uri(FILE *f, bool bin, const esock_http_uri_t *u)
{
    switch (u->kind) {
    case ESOCK_URI_STAR: fputs("'*'", f); break;
    case ESOCK_URI_ABS_PATH:
        fputs("{abs_path,", f);
        put_str(f, bin, u->path);
        fputc('}', f);
        break;
    case ESOCK_URI_ABSOLUTE:
        fputs(u->https ? "{absoluteURI,https," : "{absoluteURI,http,", f);
        put_str(f, bin, u->host);
        if (u->port)
            fprintf(f, ",%u,", u->port);
        else
            fputs(",undefined,", f);
        put_str(f, bin, u->path);
        fputc('}', f);
        break;
    case ESOCK_URI_SCHEME:
        fputs("{scheme,", f);
        put_str(f, bin, u->scheme);
        fputc(',', f);
        put_str(f, bin, u->path);
        fputc('}', f);
        break;
    default: put_str(f, bin, u->path); break;
    }
}

/* The HttpPacket term, in the notation of decode_packet.tsv. */
static void term_http(FILE *f, const esock_http_t *h)
{
    bool b = h->binary;
    switch (h->kind) {
    case ESOCK_HTTP_REQUEST:
        fputs("{http_request,", f);
        if (h->method) {
            const char *m = esock_http_method_name(h->method);
            term_atom(f, m, strlen(m));
        } else {
            put_str(f, b, h->method_str);
        }
        fputc(',', f);
        put_uri(f, b, &h->uri);
        fprintf(f, ",{%d,%d}}", h->major, h->minor);
        break;
    case ESOCK_HTTP_RESPONSE:
        fprintf(f, "{http_response,{%d,%d},%d,", h->major, h->minor, h->status);
        put_str(f, b, h->reason);
        fputc('}', f);
        break;
    case ESOCK_HTTP_HEADER:
        fprintf(f, "{http_header,%d,", h->field_bit);
        if (h->field_bit)
            term_atom(f, h->field.p, h->field.len);
        else
            put_str(f, b, h->field);
        fputc(',', f);
        put_str(f, b, h->orig_field);
        fputc(',', f);
        put_str(f, b, h->value);
        fputc('}', f);
        break;
    case ESOCK_HTTP_EOH: fputs("http_eoh", f); break;
    case ESOCK_HTTP_ERROR:
        fputs("{http_error,", f);
        put_str(f, b, h->line);
        fputc('}', f);
        break;
    }
}

static bool is_http(esock_packet_type_t t)
{
    return t == ESOCK_PACKET_HTTP || t == ESOCK_PACKET_HTTPH || t == ESOCK_PACKET_HTTP_BIN ||
           t == ESOCK_PACKET_HTTPH_BIN;
}

unsigned char *cli_read_all(FILE *in, size_t *len)
{
    size_t cap = 65536, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf != NULL) {
        size_t got = fread(buf + n, 1, cap - n, in);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            unsigned char *nb = realloc(buf, cap *= 2);
            if (nb == NULL)
                free(buf);
            buf = nb;
        }
    }
    *len = n;
    return buf;
}

static int hex_digit(unsigned char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* --hex-input: the vectors' hex column, "-" (empty) or pairs of hex
 * digits, then optional trailing white space. Decoded in place; false if
 * the text is anything else. */
static bool from_hex(unsigned char *buf, size_t *len)
{
    size_t end = *len;
    while (end > 0 && (buf[end - 1] == '\n' || buf[end - 1] == '\r' || buf[end - 1] == ' ' ||
                       buf[end - 1] == '\t'))
        end--;
    if (end == 1 && buf[0] == '-') {
        *len = 0;
        return true;
    }
    if (end % 2 != 0)
        return false;
    for (size_t i = 0; i < end; i += 2) {
        int hi = hex_digit(buf[i]), lo = hex_digit(buf[i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        buf[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    *len = end / 2;
    return true;
}

/* --tsv: exactly one decode_packet/3 call, printed as the vector columns. */
static int one_call(int type, const esock_packet_opts_t *o, const unsigned char *buf, size_t len)
{
    esock_packet_cfg_t cfg;
    esock_packet_result_t r;
    if (type < 0 || esock_packet_config(&cfg, type, o) != 0) {
        puts("badarg\t-\t-");
        return EXIT_FAILED;
    }
    int rc = esock_packet_decode(&cfg, buf, len, &r);
    if (rc == ESOCK_PACKET_MORE) {
        if (r.more)
            printf("more\t%zu\t-\n", r.more);
        else
            puts("more\tundefined\t-");
        return EXIT_OK;
    }
    if (rc != 0) {
        printf("error\t%s\t-\n", rc == ESOCK_EBADARG ? "badarg" : "invalid");
        return EXIT_FAILED;
    }
    fputs("ok\t", stdout);
    if (is_http(cfg.type))
        term_http(stdout, &r.http);
    else
        term_hex(stdout, r.packet, r.packet_len);
    putchar('\t');
    term_hex(stdout, r.rest, r.rest_len);
    putchar('\n');
    return EXIT_OK;
}

int cmd_decode(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, "decode"))
        return EXIT_OK;
    esock_packet_opts_t o = {0};
    const char *tname = NULL, *file = NULL;
    bool tsv = false, hexin = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(a, "--packet") == 0 && has)
            tname = argv[++i];
        else if (strcmp(a, "--packet-size") == 0 && has && cli_num(argv[i + 1], &o.packet_size))
            i++;
        else if (strcmp(a, "--line-length") == 0 && has && cli_num(argv[i + 1], &o.line_length))
            i++;
        else if (strcmp(a, "--line-delimiter") == 0 && has &&
                 cli_num(argv[i + 1], &o.line_delimiter)) {
            o.has_line_delimiter = true;
            i++;
        } else if (strcmp(a, "--tsv") == 0)
            tsv = true;
        else if (strcmp(a, "--hex-input") == 0)
            hexin = true;
        else if (a[0] == '-' && a[1] != '\0') {
            cli_usage(stderr, "decode");
            return EXIT_USAGE;
        } else if (file == NULL)
            file = a;
        else {
            fprintf(stderr, "esock decode: one input only (got %s and %s)\n", file, a);
            return EXIT_USAGE;
        }
    }
    if (file == NULL)
        file = "-";
    if (tname == NULL) {
        fprintf(stderr, "esock decode: --packet TYPE is required\n");
        return EXIT_USAGE;
    }
    int type = esock_packet_type_from_name(tname, strlen(tname));
    FILE *in = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
    if (in == NULL)
        return cli_fail("decode", file, -errno);
    size_t len;
    errno = 0;
    unsigned char *buf = cli_read_all(in, &len);
    int rerr = ferror(in) ? (errno ? -errno : -EIO) : 0;
    if (in != stdin)
        fclose(in);
    if (buf == NULL)
        return cli_fail("decode", "reading input", -ENOMEM);
    if (rerr != 0) {
        free(buf);
        return cli_fail("decode", file, rerr);
    }
    if (hexin && !from_hex(buf, &len)) {
        free(buf);
        return cli_fail("decode", "--hex-input", -EINVAL);
    }
    int ret;
    if (tsv) {
        ret = one_call(type, &o, buf, len);
        free(buf);
        return ret;
    }
    esock_packet_cfg_t cfg;
    if (type < 0 || esock_packet_config(&cfg, type, &o) != 0) {
        free(buf);
        fprintf(stderr, "esock decode: bad packet type or option (badarg)\n");
        return EXIT_USAGE;
    }
    const unsigned char *p = buf;
    ret = EXIT_OK;
    for (size_t count = 0; len > 0; count++) {
        esock_packet_result_t r;
        int rc = esock_packet_decode(&cfg, p, len, &r);
        if (rc == ESOCK_PACKET_MORE) {
            fprintf(stderr, "esock decode: %zu bytes left over, an incomplete packet ", len);
            if (r.more)
                fprintf(stderr, "({more,%zu})\n", r.more);
            else
                fprintf(stderr, "({more,undefined})\n");
            ret = EXIT_FAILED;
            break;
        }
        if (rc != 0) {
            printf("{error,invalid}\n");
            fprintf(stderr, "esock decode: packet %zu at offset %zu: %s\n", count + 1,
                    (size_t)(p - buf), r.size_exceeded ? "larger than packet_size" : "invalid");
            ret = EXIT_FAILED;
            break;
        }
        if (is_http(cfg.type))
            term_http(stdout, &r.http);
        else
            term_binary(stdout, r.packet, r.packet_len);
        putchar('\n');
        cfg.type = esock_packet_next_type(cfg.type, &r);
        if (r.rest_len >= len && r.packet_len == 0)
            break; /* no progress: never loop forever */
        len = r.rest_len;
        p = r.rest;
    }
    free(buf);
    return ret;
}
