/* OTP's atom names of domains, types and protocols; counters; i(). */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "socket/sock.h"

struct name {
    int value;
    const char *name;
};

static const struct name domains[] = {
    {AF_INET, "inet"}, {AF_INET6, "inet6"}, {AF_UNIX, "local"}, {AF_UNSPEC, "unspec"},
    {AF_PACKET, "packet"},
};
static const struct name types[] = {
    {SOCK_STREAM, "stream"}, {SOCK_DGRAM, "dgram"}, {SOCK_RAW, "raw"},
    {SOCK_RDM, "rdm"},       {SOCK_SEQPACKET, "seqpacket"},
};
static const struct name protocols[] = {
    {IPPROTO_IP, "ip"},     {IPPROTO_TCP, "tcp"},   {IPPROTO_UDP, "udp"},   {IPPROTO_SCTP, "sctp"},
    {IPPROTO_IPV6, "ipv6"}, {IPPROTO_ICMP, "icmp"}, {IPPROTO_ICMPV6, "icmp6"}, {IPPROTO_RAW, "raw"},
};

#define LOOKUP(tab, v)                                          \
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)     \
        if (tab[i].value == (v))                                \
            return tab[i].name;                                 \
    return NULL

#define RLOOKUP(tab, n)                                         \
    if ((n) == NULL)                                            \
        return -1;                                              \
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)     \
        if (strcmp(tab[i].name, (n)) == 0)                      \
            return tab[i].value;                                \
    return -1

const char *esock_domain_name(int d) { LOOKUP(domains, d); }
const char *esock_type_name(int t) { LOOKUP(types, t); }
const char *esock_protocol_name(int p) { LOOKUP(protocols, p); }
int esock_domain_from_name(const char *n) { RLOOKUP(domains, n); }
int esock_type_from_name(const char *n) { RLOOKUP(types, n); }
int esock_protocol_from_name(const char *n) { RLOOKUP(protocols, n); }

/* The counters in socket_counters() order; the struct has the same order. */
static const char *const counter_names[] = {
    "read_byte",      "read_fails",    "read_pkg",      "read_pkg_max",   "read_tries",
    "read_waits",     "write_byte",    "write_fails",   "write_pkg",      "write_pkg_max",
    "write_tries",    "write_waits",   "acc_success",   "acc_fails",      "acc_tries",
    "acc_waits",      "sendfile",      "sendfile_byte", "sendfile_fails", "sendfile_max",
    "sendfile_pkg",   "sendfile_pkg_max", "sendfile_tries", "sendfile_waits",
};
_Static_assert(sizeof counter_names / sizeof counter_names[0] ==
                   sizeof(esock_counters_t) / sizeof(uint64_t),
               "one name per counter");

const char *esock_counter_name(size_t i)
{
    return i < sizeof counter_names / sizeof counter_names[0] ? counter_names[i] : NULL;
}

uint64_t esock_counter_value(const esock_counters_t *c, size_t i)
{
    return esock_counter_name(i) ? ((const uint64_t *)c)[i] : 0;
}

static const char *or_num(const char *name, int v, char *buf, size_t cap)
{
    if (name)
        return name;
    snprintf(buf, cap, "%d", v);
    return buf;
}

void esock_i(FILE *out, int domain, int type, int protocol)
{
    if (!out)
        return;
    esock_filter_t f = {.domain = domain, .type = type, .protocol = protocol};
    int n = esock_which_sockets(&f, NULL, 0);
    if (n < 0)
        return;
    size_t cap = (size_t)n + 16;
    esock_t *hs = malloc(cap * sizeof *hs);
    if (hs == NULL)
        return;
    n = esock_which_sockets(&f, hs, cap);
    fprintf(out, "%-10s %-8s %-6s %-7s %-10s %-6s %-12s %-12s %10s %10s\n", "id", "owner", "fd",
            "domain", "type", "proto", "rstate", "wstate", "read", "written");
    for (int i = 0; i < n && (size_t)i < cap; i++) {
        esock_socket_info_t in;
        if (esock_info_socket(hs[i], &in) < 0)
            continue;
        char b1[16], b2[16], b3[16];
        fprintf(out, "%-10u %-8u %-6d %-7s %-10s %-6s %-12s %-12s %10llu %10llu\n", hs[i].id,
                in.owner, esock_fd(hs[i]), or_num(esock_domain_name(in.domain), in.domain, b1, 16),
                or_num(esock_type_name(in.type), in.type, b2, 16),
                or_num(esock_protocol_name(in.protocol), in.protocol, b3, 16), in.rstate, in.wstate,
                (unsigned long long)in.counters.read_byte,
                (unsigned long long)in.counters.write_byte);
    }
    free(hs);
}
