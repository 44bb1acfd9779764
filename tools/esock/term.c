/* Erlang term notation for the tool's output, so it compares with erl's. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void term_ip(FILE *f, const esock_ip_t *ip)
{
    fputc('{', f);
    int n = ip->family == ESOCK_IP4 ? 4 : 8;
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%u", i ? "," : "", ip->family == ESOCK_IP4 ? ip->u.v4[i] : ip->u.v6[i]);
    fputc('}', f);
}

static void escaped(FILE *f, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\r')
            fputs("\\r", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\%o", c);
        else
            fputc(c, f);
    }
}

void term_string(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    escaped(f, (const unsigned char *)s, n);
    fputc('"', f);
}

void term_binary(FILE *f, const void *p, size_t n)
{
    const unsigned char *b = p;
    bool printable = true;
    for (size_t i = 0; i < n; i++)
        if ((b[i] < 0x20 && b[i] != '\n' && b[i] != '\r' && b[i] != '\t') || b[i] >= 0x7f)
            printable = false;
    fputs("<<", f);
    if (printable && n > 0) {
        fputc('"', f);
        escaped(f, b, n);
        fputc('"', f);
    } else {
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%s%u", i ? "," : "", b[i]);
    }
    fputs(">>", f);
}

void term_error(FILE *f, int code)
{
    fprintf(f, "{error,%s}", esock_errname(code));
}

int cli_parse_endpoint(const char *s, bool inet6, esock_sockaddr_t *sa)
{
    if (s[0] == '/' || s[0] == '@')
        return esock_sockaddr_local(sa, s, strlen(s));
    const char *colon = strrchr(s, ':');
    if (colon == NULL)
        return -EINVAL;
    const char *host = s;
    size_t hlen = (size_t)(colon - s);
    if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
        host++;
        hlen -= 2;
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535 || end == colon + 1)
        return -EINVAL;
    esock_ip_t ip;
    if (hlen == 0) {
        if (inet6)
            esock_parse_address("::", 2, &ip);
        else
            esock_parse_address("0.0.0.0", 7, &ip);
    } else if (esock_parse_address(host, hlen, &ip) != 0) {
        int rc = esock_getaddr(host, hlen, inet6 ? ESOCK_IP6 : ESOCK_IP4, 5000, &ip);
        if (rc != 0)
            return rc;
    }
    return esock_sockaddr_ip(sa, &ip, (uint16_t)port);
}

void term_qbytes(FILE *f, const void *p, size_t n)
{
    const unsigned char *b = p;
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = b[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\r')
            fputs("\\r", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void term_atom(FILE *f, const char *s, size_t n)
{
    bool bare = n > 0 && s[0] >= 'a' && s[0] <= 'z';
    for (size_t i = 0; bare && i < n; i++)
        bare = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
               (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '@';
    if (bare) {
        fwrite(s, 1, n, f);
        return;
    }
    fputc('\'', f);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'' || s[i] == '\\')
            fputc('\\', f);
        fputc(s[i], f);
    }
    fputc('\'', f);
}

void term_hex(FILE *f, const void *p, size_t n)
{
    const unsigned char *b = p;
    if (n == 0)
        fputc('-', f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", b[i]);
}
