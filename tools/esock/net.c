/* Shared by echo, cat and bench: packet names, active values, endpoints. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct { const char *name; int type; } packet_names[] = {
    {"raw", ESOCK_INET_PACKET_RAW},   {"0", ESOCK_INET_PACKET_RAW},
    {"1", ESOCK_INET_PACKET_1},       {"2", ESOCK_INET_PACKET_2},
    {"4", ESOCK_INET_PACKET_4},       {"asn1", ESOCK_INET_PACKET_ASN1},
    {"sunrm", ESOCK_INET_PACKET_SUNRM}, {"cdr", ESOCK_INET_PACKET_CDR},
    {"fcgi", ESOCK_INET_PACKET_FCGI}, {"tpkt", ESOCK_INET_PACKET_TPKT},
    {"line", ESOCK_INET_PACKET_LINE}, {"http", ESOCK_INET_PACKET_HTTP},
    {"httph", ESOCK_INET_PACKET_HTTPH}, {"http_bin", ESOCK_INET_PACKET_HTTP_BIN},
    {"httph_bin", ESOCK_INET_PACKET_HTTPH_BIN},
};

int cli_packet_type(const char *name)
{
    for (size_t i = 0; i < sizeof packet_names / sizeof packet_names[0]; i++)
        if (strcmp(name, packet_names[i].name) == 0)
            return packet_names[i].type;
    return -1;
}

int cli_header_size(int inet_type)
{
    return inet_type == ESOCK_INET_PACKET_1   ? 1
           : inet_type == ESOCK_INET_PACKET_2 ? 2
           : inet_type == ESOCK_INET_PACKET_4 ? 4
                                              : 0;
}

bool cli_num(const char *s, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    *out = v;
    return *s != '\0' && *end == '\0';
}

int cli_active(const char *s, int64_t *out)
{
    char *end;
    if (strcmp(s, "true") == 0)
        *out = ESOCK_INET_ACTIVE_TRUE;
    else if (strcmp(s, "false") == 0)
        *out = ESOCK_INET_ACTIVE_FALSE;
    else if (strcmp(s, "once") == 0)
        *out = ESOCK_INET_ACTIVE_ONCE;
    else {
        long v = strtol(s, &end, 10);
        if (*s == '\0' || *end != '\0' || v < 1 || v > 32767)
            return -1;
        *out = v;
    }
    return 0;
}

int cli_net_args(int argc, char **argv, const char *cmd, struct cli_net *n)
{
    memset(n, 0, sizeof *n);
    n->packet = ESOCK_INET_PACKET_RAW;
    n->active = ESOCK_INET_ACTIVE_TRUE;
    const char *where = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has = i + 1 < argc;
        if (strcmp(a, "--packet") == 0 && has) {
            if ((n->packet = cli_packet_type(argv[++i])) < 0) {
                fprintf(stderr, "esock %s: unknown packet type '%s'\n", cmd, argv[i]);
                return EXIT_USAGE;
            }
        } else if (strcmp(a, "--active") == 0 && has) {
            if (cli_active(argv[++i], &n->active) != 0) {
                fprintf(stderr, "esock %s: --active takes true, false, once or 1..32767\n", cmd);
                return EXIT_USAGE;
            }
        } else if (strcmp(a, "--udp") == 0) {
            n->udp = true;
        } else if (strcmp(a, "--inet6") == 0) {
            n->inet6 = true;
        } else if (strcmp(a, "--local") == 0 && has) {
            n->local = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            cli_usage(stderr, cmd);
            return EXIT_USAGE;
        } else if (where == NULL) {
            where = a;
        } else {
            cli_usage(stderr, cmd);
            return EXIT_USAGE;
        }
    }
    int rc;
    if (n->local)
        rc = esock_sockaddr_local(&n->addr, n->local, strlen(n->local));
    else if (where == NULL) {
        fprintf(stderr, "esock %s: ADDR:PORT (or --local PATH) is required\n", cmd);
        return EXIT_USAGE;
    } else
        rc = cli_parse_endpoint(where, n->inet6, &n->addr);
    if (rc != 0) {
        cli_fail(cmd, where ? where : n->local, rc);
        return EXIT_USAGE;
    }
    return 0;
}

void cli_print_addr(FILE *f, const esock_sockaddr_t *sa)
{
    char text[256];
    if (esock_sockaddr_format(sa, text, sizeof text) < 0)
        strcpy(text, "?");
    fprintf(f, "%s\n", text);
    fflush(f);
}

int cli_sendto(esock_inet_t s, const esock_sockaddr_t *to, const void *data, size_t len)
{
    const struct timespec ms = {0, 1000000};
    int rc;
    for (int tries = 0; (rc = esock_inet_sendto(s, to, data, len)) == -EAGAIN && tries < 2000; tries++)
        nanosleep(&ms, NULL);
    return rc;
}
