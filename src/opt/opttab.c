/*
 * src/opt/opttab.c - the option table compiled for this platform, and the
 * pure lookups over it (names, levels, types).
 */
#include "opt/opt_int.h"
#include "opt/optnative.h"

#include <string.h>

#define A_G ESOCK_OPT_GET
#define A_S ESOCK_OPT_SET
#define A_GS (ESOCK_OPT_GET | ESOCK_OPT_SET)
#define NAT_NONE ESOCK__NONATIVE

const esock__optdef_t esock__opttab[ESOCK_OPT__COUNT] = {
#define ROW(L, N, atom, T, A, nat, note)                                                    \
    [ESOCK_OPT_##L##_##N] = {ESOCK_LEVEL_##L, atom, ESOCK_OVT_##T, A_##A, #nat, NAT_##nat, \
                             note},
    ESOCK_OPTION_TABLE(ROW)
#undef ROW
};

static const char *const level_names[ESOCK_LEVEL__COUNT] = {
    "otp", "socket", "ip", "ipv6", "tcp", "udp", "sctp",
};

static const int level_natives[ESOCK_LEVEL__COUNT] = {
    -1, SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP,
};

static const char *const type_names[ESOCK_OVT__COUNT] = {
    [ESOCK_OVT_NONE] = "none",
    [ESOCK_OVT_BOOL] = "boolean",
    [ESOCK_OVT_INT] = "integer",
    [ESOCK_OVT_LINGER] = "linger",
    [ESOCK_OVT_TIMEVAL] = "timeval",
    [ESOCK_OVT_IP_MREQ] = "ip_mreq",
    [ESOCK_OVT_IP_MREQ_SOURCE] = "ip_mreq_source",
    [ESOCK_OVT_IP_MSFILTER] = "ip_msfilter",
    [ESOCK_OVT_IPV6_MREQ] = "ipv6_mreq",
    [ESOCK_OVT_IP_PMTUDISC] = "ip_pmtudisc",
    [ESOCK_OVT_IP_TOS] = "ip_tos",
    [ESOCK_OVT_IPV6_HOPS] = "ipv6_hops",
    [ESOCK_OVT_IPV6_PMTUDISC] = "ipv6_pmtudisc",
    [ESOCK_OVT_SCTP_ASSOCPARAMS] = "sctp_assocparams",
    [ESOCK_OVT_SCTP_EVENT_SUBSCRIBE] = "sctp_event_subscribe",
    [ESOCK_OVT_SCTP_INITMSG] = "sctp_initmsg",
    [ESOCK_OVT_SCTP_RTOINFO] = "sctp_rtoinfo",
    [ESOCK_OVT_STRING] = "string",
    [ESOCK_OVT_TCP_INFO] = "tcp_info",
    [ESOCK_OVT_IN_ADDR] = "in_addr",
    [ESOCK_OVT_DOMAIN] = "domain",
    [ESOCK_OVT_SOCKTYPE] = "type",
    [ESOCK_OVT_PROTOCOL] = "protocol",
    [ESOCK_OVT_ERROR] = "posix",
    [ESOCK_OVT_UCRED] = "ucred",
    [ESOCK_OVT_BYTES] = "binary",
    [ESOCK_OVT_OTP_RCVBUF] = "otp_rcvbuf",
    [ESOCK_OVT_OTP_BUFSZ] = "otp_bufsz",
    [ESOCK_OVT_META] = "meta",
    [ESOCK_OVT_MBOX] = "mailbox",
};

const esock__optdef_t *esock__optdef(esock_opt_t opt)
{
    if ((int)opt <= ESOCK_OPT_NONE || opt >= ESOCK_OPT__COUNT)
        return NULL;
    return &esock__opttab[opt];
}

/*
 * Options the reference page switches off even where the OS has them:
 * peek_off (a recv loop with peek could spin) and, unless the build asks
 * for them, rcvtimeo/sndtimeo (esock's sockets are non-blocking, so a
 * kernel timeout would never fire; use the timeout arguments instead).
 */
static bool disabled(esock_opt_t opt)
{
    switch (opt) {
    case ESOCK_OPT_SOCKET_PEEK_OFF:
        return true;
#ifndef ESOCK_ENABLE_RCVSNDTIMEO
    case ESOCK_OPT_SOCKET_RCVTIMEO:
    case ESOCK_OPT_SOCKET_SNDTIMEO:
        return true;
#endif
    default:
        return false;
    }
}

bool esock__opt_supported(esock_opt_t opt)
{
    const esock__optdef_t *d = esock__optdef(opt);
    if (d == NULL)
        return false;
    if (d->level == ESOCK_LEVEL_OTP)
        return true;
    if (d->native_opt == ESOCK__NONATIVE || disabled(opt))
        return false;
#ifndef ESOCK_HAVE_SCTP_H
    /* Without the SCTP header the structured values cannot be converted. */
    if (d->level == ESOCK_LEVEL_SCTP)
        return false;
#endif
    if (d->level == ESOCK_LEVEL_SCTP && !esock__have_sctp())
        return false;
    if (d->type == ESOCK_OVT_UCRED) {
#ifndef __linux__
        return false;
#endif
    }
    return true;
}

int esock_opt_info(esock_opt_t opt, esock_optinfo_t *info)
{
    const esock__optdef_t *d = esock__optdef(opt);
    if (d == NULL || info == NULL)
        return ESOCK_EINVAL_OPTION;
    info->opt = opt;
    info->level = d->level;
    info->level_name = level_names[d->level];
    info->name = d->name;
    info->type = d->type;
    info->access = d->access;
    info->native_name = d->level == ESOCK_LEVEL_OTP ? "" : d->native_name;
    info->supported = esock__opt_supported(opt);
    info->native_level = d->native_opt == ESOCK__NONATIVE ? -1 : level_natives[d->level];
    info->native_opt = d->native_opt;
    info->note = d->note;
    return 0;
}

esock_opt_t esock_opt_lookup(const char *level, const char *name)
{
    int l = level ? esock_level_lookup(level) : -1;
    if (l < 0 || name == NULL)
        return ESOCK_OPT_NONE;
    for (int o = 1; o < ESOCK_OPT__COUNT; o++)
        if ((int)esock__opttab[o].level == l && strcmp(esock__opttab[o].name, name) == 0)
            return (esock_opt_t)o;
    return ESOCK_OPT_NONE;
}

const char *esock_level_name(esock_level_t level)
{
    if ((int)level < 0 || level >= ESOCK_LEVEL__COUNT)
        return NULL;
    return level_names[level];
}

int esock_level_lookup(const char *name)
{
    if (name == NULL)
        return -1;
    for (int l = 0; l < ESOCK_LEVEL__COUNT; l++)
        if (strcmp(level_names[l], name) == 0)
            return l;
    return -1;
}

int esock_level_native(esock_level_t level)
{
    if ((int)level < 0 || level >= ESOCK_LEVEL__COUNT)
        return -1;
    return level_natives[level];
}

const char *esock_optval_type_name(esock_optval_type_t type)
{
    if ((int)type < 0 || type >= ESOCK_OVT__COUNT)
        return NULL;
    return type_names[type];
}

int esock_opt_native(esock_opt_t opt, int *native_level, int *native_opt)
{
    const esock__optdef_t *d = esock__optdef(opt);
    if (d == NULL || d->level == ESOCK_LEVEL_OTP)
        return ESOCK_EINVAL_OPTION;
    if (!esock__opt_supported(opt))
        return ESOCK_ENOTSUP_OPTION;
    if (native_level)
        *native_level = level_natives[d->level];
    if (native_opt)
        *native_opt = d->native_opt;
    return 0;
}
