/*
 * src/opt/optval.c - option values to and from their OS form. Pure: no I/O,
 * no allocation, no global state; fuzzed by fuzz/fuzz_optval.c.
 *
 * Every decoder checks the length it is given, and every encoder checks the
 * range of what it is given, so that neither the OS nor the caller ever sees
 * a half-converted value.
 */
#include "opt/opt_int.h"
#include "opt/optsys.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

/* ---- small helpers ----------------------------------------------------------- */

static int put(void *buf, size_t cap, size_t *len, const void *src, size_t n)
{
    *len = n;
    if (n > cap)
        return -ENOSPC;
    if (n)
        memcpy(buf, src, n);
    return 0;
}

static int put_int(void *buf, size_t cap, size_t *len, int v)
{
    return put(buf, cap, len, &v, sizeof v);
}

/* A C int option; Linux hands some IP options back as one byte. */
static int get_int(const void *buf, size_t len, int *v)
{
    if (len >= sizeof(int)) {
        memcpy(v, buf, sizeof(int));
        return 0;
    }
    if (len == 1) {
        *v = *(const unsigned char *)buf;
        return 0;
    }
    return ESOCK_EINVAL_VALUE;
}

static int ip4_to_in(const esock_ip_t *ip, struct in_addr *in)
{
    if (ip->family != ESOCK_IP4)
        return ESOCK_EINVAL_VALUE;
    memcpy(&in->s_addr, ip->u.v4, 4);
    return 0;
}

static void in_to_ip4(const struct in_addr *in, esock_ip_t *ip)
{
    memset(ip, 0, sizeof *ip);
    ip->family = ESOCK_IP4;
    memcpy(ip->u.v4, &in->s_addr, 4);
}

static int ip6_to_in6(const esock_ip_t *ip, struct in6_addr *in6)
{
    if (ip->family != ESOCK_IP6)
        return ESOCK_EINVAL_VALUE;
    for (int i = 0; i < 8; i++) {
        in6->s6_addr[2 * i] = (uint8_t)(ip->u.v6[i] >> 8);
        in6->s6_addr[2 * i + 1] = (uint8_t)ip->u.v6[i];
    }
    return 0;
}

static void in6_to_ip6(const struct in6_addr *in6, esock_ip_t *ip)
{
    memset(ip, 0, sizeof *ip);
    ip->family = ESOCK_IP6;
    for (int i = 0; i < 8; i++)
        ip->u.v6[i] = (uint16_t)(in6->s6_addr[2 * i] << 8 | in6->s6_addr[2 * i + 1]);
}

/* ---- PMTU discovery modes: esock's enum <-> IP(V6)_PMTUDISC_* ------------------ */

#ifndef IP_PMTUDISC_PROBE
#define IP_PMTUDISC_PROBE (-100)
#endif
#ifndef IPV6_PMTUDISC_PROBE
#define IPV6_PMTUDISC_PROBE (-100)
#endif
#if defined(IP_PMTUDISC_WANT)
static const int pmtu4[4] = {IP_PMTUDISC_WANT, IP_PMTUDISC_DONT, IP_PMTUDISC_DO, IP_PMTUDISC_PROBE};
#else
static const int pmtu4[4] = {-100, -100, -100, -100};
#endif
#if defined(IPV6_PMTUDISC_WANT)
static const int pmtu6[4] = {IPV6_PMTUDISC_WANT, IPV6_PMTUDISC_DONT, IPV6_PMTUDISC_DO,
                             IPV6_PMTUDISC_PROBE};
#else
static const int pmtu6[4] = {-100, -100, -100, -100};
#endif

static int pmtu_to_native(const int *tab, int v, int *out)
{
    if (v < 0 || v > 3 || tab[v] == -100)
        return ESOCK_EINVAL_VALUE;
    *out = tab[v];
    return 0;
}

static int pmtu_from_native(const int *tab, int n, int *out)
{
    for (int i = 0; i < 4; i++)
        if (tab[i] == n && n != -100) {
            *out = i;
            return 0;
        }
    return ESOCK_EINVAL_VALUE;
}

/* ---- sizes ------------------------------------------------------------------------ */

size_t esock__optval_native_size(esock_optval_type_t type)
{
    switch (type) {
    case ESOCK_OVT_BOOL:
    case ESOCK_OVT_INT:
    case ESOCK_OVT_IP_PMTUDISC:
    case ESOCK_OVT_IP_TOS:
    case ESOCK_OVT_IPV6_HOPS:
    case ESOCK_OVT_IPV6_PMTUDISC:
    case ESOCK_OVT_DOMAIN:
    case ESOCK_OVT_SOCKTYPE:
    case ESOCK_OVT_PROTOCOL:
    case ESOCK_OVT_ERROR:
        return sizeof(int);
    case ESOCK_OVT_LINGER:
        return sizeof(struct linger);
    case ESOCK_OVT_TIMEVAL:
        return sizeof(struct timeval);
    case ESOCK_OVT_IP_MREQ:
        return sizeof(struct ip_mreq);
    case ESOCK_OVT_IP_MREQ_SOURCE:
        return sizeof(struct ip_mreq_source);
    case ESOCK_OVT_IPV6_MREQ:
        return sizeof(struct ipv6_mreq);
    case ESOCK_OVT_IN_ADDR:
        return sizeof(struct in_addr);
    case ESOCK_OVT_STRING:
        return ESOCK_OPT_STRMAX + 1;
#ifdef __linux__
    case ESOCK_OVT_TCP_INFO:
        return sizeof(struct tcp_info);
    case ESOCK_OVT_UCRED:
        return sizeof(struct ucred);
#endif
#ifdef ESOCK_HAVE_SCTP_H
    case ESOCK_OVT_SCTP_ASSOCPARAMS:
        return sizeof(struct sctp_assocparams);
    case ESOCK_OVT_SCTP_EVENT_SUBSCRIBE:
        return sizeof(struct sctp_event_subscribe);
    case ESOCK_OVT_SCTP_INITMSG:
        return sizeof(struct sctp_initmsg);
    case ESOCK_OVT_SCTP_RTOINFO:
        return sizeof(struct sctp_rtoinfo);
#endif
    default:
        return 0;
    }
}

/* ---- encode --------------------------------------------------------------------------- */

static int msfilter_to_native(const esock_ip_msfilter_t *f, void *buf, size_t cap, size_t *len)
{
    if (f->null) {
        *len = 0;
        return 0;
    }
#ifdef IP_MSFILTER_SIZE
    if (f->mode != ESOCK_MCAST_INCLUDE && f->mode != ESOCK_MCAST_EXCLUDE)
        return ESOCK_EINVAL_VALUE;
    if (f->nsrc > 0 && f->slist == NULL)
        return ESOCK_EINVAL_VALUE;
    if (f->nsrc > (UINT32_MAX - sizeof(struct ip_msfilter)) / sizeof(struct in_addr))
        return ESOCK_EINVAL_VALUE;
    size_t need = IP_MSFILTER_SIZE(f->nsrc);
    struct ip_msfilter hdr;
    memset(&hdr, 0, sizeof hdr);
    if (ip4_to_in(&f->multiaddr, &hdr.imsf_multiaddr) || ip4_to_in(&f->interface, &hdr.imsf_interface))
        return ESOCK_EINVAL_VALUE;
    for (size_t i = 0; i < f->nsrc; i++)
        if (f->slist[i].family != ESOCK_IP4)
            return ESOCK_EINVAL_VALUE;
    *len = need;
    if (need > cap)
        return -ENOSPC;
    hdr.imsf_fmode = f->mode == ESOCK_MCAST_INCLUDE ? MCAST_INCLUDE : MCAST_EXCLUDE;
    hdr.imsf_numsrc = (uint32_t)f->nsrc;
    memset(buf, 0, need);
    memcpy(buf, &hdr, offsetof(struct ip_msfilter, imsf_slist));
    unsigned char *sl = (unsigned char *)buf + offsetof(struct ip_msfilter, imsf_slist);
    for (size_t i = 0; i < f->nsrc; i++)
        memcpy(sl + i * sizeof(struct in_addr), f->slist[i].u.v4, 4);
    return 0;
#else
    (void)buf;
    (void)cap;
    (void)len;
    return ESOCK_EINVAL_VALUE;
#endif
}

int esock__optval_to_native(esock_optval_type_t type, const esock_optval_t *v, void *buf,
                            size_t cap, size_t *len)
{
    *len = 0;
    if (v == NULL || v->type != type)
        return ESOCK_EINVAL_VALUE;
    int n;
    switch (type) {
    case ESOCK_OVT_BOOL:
        return put_int(buf, cap, len, v->u.b ? 1 : 0);
    case ESOCK_OVT_INT:
    case ESOCK_OVT_DOMAIN:
    case ESOCK_OVT_SOCKTYPE:
    case ESOCK_OVT_PROTOCOL:
        return put_int(buf, cap, len, v->u.i);
    case ESOCK_OVT_ERROR:
        /* get-only in the table; encoded for symmetry: -errno -> errno */
        if (v->u.i > 0 || v->u.i == INT_MIN)
            return ESOCK_EINVAL_VALUE;
        return put_int(buf, cap, len, -v->u.i);
    case ESOCK_OVT_IP_TOS:
        if (v->u.i < 0 || v->u.i > 255)
            return ESOCK_EINVAL_VALUE;
        return put_int(buf, cap, len, v->u.i);
    case ESOCK_OVT_IPV6_HOPS:
        if (v->u.i < -1 || v->u.i > 255)
            return ESOCK_EINVAL_VALUE;
        return put_int(buf, cap, len, v->u.i);
    case ESOCK_OVT_IP_PMTUDISC:
        if (pmtu_to_native(pmtu4, v->u.i, &n))
            return ESOCK_EINVAL_VALUE;
        return put_int(buf, cap, len, n);
    case ESOCK_OVT_IPV6_PMTUDISC:
        if (pmtu_to_native(pmtu6, v->u.i, &n))
            return ESOCK_EINVAL_VALUE;
        return put_int(buf, cap, len, n);
    case ESOCK_OVT_LINGER: {
        if (v->u.linger.linger < 0)
            return ESOCK_EINVAL_VALUE;
        struct linger l = {.l_onoff = v->u.linger.onoff ? 1 : 0, .l_linger = v->u.linger.linger};
        return put(buf, cap, len, &l, sizeof l);
    }
    case ESOCK_OVT_TIMEVAL: {
        if (v->u.tv.sec < 0 || v->u.tv.usec < 0 || v->u.tv.usec > 999999)
            return ESOCK_EINVAL_VALUE;
        if (sizeof(time_t) < sizeof(int64_t) && v->u.tv.sec > INT32_MAX)
            return ESOCK_EINVAL_VALUE;
        struct timeval tv = {.tv_sec = (time_t)v->u.tv.sec, .tv_usec = v->u.tv.usec};
        return put(buf, cap, len, &tv, sizeof tv);
    }
    case ESOCK_OVT_IP_MREQ: {
        struct ip_mreq m;
        memset(&m, 0, sizeof m);
        if (ip4_to_in(&v->u.mreq.multiaddr, &m.imr_multiaddr) ||
            ip4_to_in(&v->u.mreq.interface, &m.imr_interface))
            return ESOCK_EINVAL_VALUE;
        return put(buf, cap, len, &m, sizeof m);
    }
    case ESOCK_OVT_IP_MREQ_SOURCE: {
        struct ip_mreq_source m;
        memset(&m, 0, sizeof m);
        if (ip4_to_in(&v->u.mreq_source.multiaddr, &m.imr_multiaddr) ||
            ip4_to_in(&v->u.mreq_source.interface, &m.imr_interface) ||
            ip4_to_in(&v->u.mreq_source.sourceaddr, &m.imr_sourceaddr))
            return ESOCK_EINVAL_VALUE;
        return put(buf, cap, len, &m, sizeof m);
    }
    case ESOCK_OVT_IP_MSFILTER:
        return msfilter_to_native(&v->u.msfilter, buf, cap, len);
    case ESOCK_OVT_IPV6_MREQ: {
        struct ipv6_mreq m;
        memset(&m, 0, sizeof m);
        if (ip6_to_in6(&v->u.mreq6.multiaddr, &m.ipv6mr_multiaddr))
            return ESOCK_EINVAL_VALUE;
        m.ipv6mr_interface = v->u.mreq6.interface;
        return put(buf, cap, len, &m, sizeof m);
    }
    case ESOCK_OVT_IN_ADDR: {
        struct in_addr in;
        if (ip4_to_in(&v->u.ip, &in))
            return ESOCK_EINVAL_VALUE;
        return put(buf, cap, len, &in, sizeof in);
    }
    case ESOCK_OVT_STRING: {
        size_t l = strnlen(v->u.str.s, sizeof v->u.str.s);
        if (l > ESOCK_OPT_STRMAX)
            return ESOCK_EINVAL_VALUE;
        return put(buf, cap, len, v->u.str.s, l);
    }
    case ESOCK_OVT_BYTES:
        if (v->u.bytes.len > 0 && v->u.bytes.buf == NULL)
            return ESOCK_EINVAL_VALUE;
        return put(buf, cap, len, v->u.bytes.buf, v->u.bytes.len);
#ifdef __linux__
    case ESOCK_OVT_UCRED: {
        if (v->u.ucred.pid < 0)
            return ESOCK_EINVAL_VALUE;
        struct ucred c = {.pid = v->u.ucred.pid, .uid = v->u.ucred.uid, .gid = v->u.ucred.gid};
        return put(buf, cap, len, &c, sizeof c);
    }
#endif
#ifdef ESOCK_HAVE_SCTP_H
    case ESOCK_OVT_SCTP_ASSOCPARAMS: {
        struct sctp_assocparams p;
        memset(&p, 0, sizeof p);
        p.sasoc_assoc_id = v->u.assocparams.assoc_id;
        p.sasoc_asocmaxrxt = v->u.assocparams.asocmaxrxt;
        p.sasoc_number_peer_destinations = v->u.assocparams.number_peer_destinations;
        p.sasoc_peer_rwnd = v->u.assocparams.peer_rwnd;
        p.sasoc_local_rwnd = v->u.assocparams.local_rwnd;
        p.sasoc_cookie_life = v->u.assocparams.cookie_life;
        return put(buf, cap, len, &p, sizeof p);
    }
    case ESOCK_OVT_SCTP_EVENT_SUBSCRIBE: {
        const esock_sctp_event_subscribe_t *e = &v->u.events;
        struct sctp_event_subscribe s;
        memset(&s, 0, sizeof s);
        s.sctp_data_io_event = e->data_io;
        s.sctp_association_event = e->association;
        s.sctp_address_event = e->address;
        s.sctp_send_failure_event = e->send_failure;
        s.sctp_peer_error_event = e->peer_error;
        s.sctp_shutdown_event = e->shutdown;
        s.sctp_partial_delivery_event = e->partial_delivery;
        s.sctp_adaptation_layer_event = e->adaptation_layer;
        s.sctp_sender_dry_event = e->sender_dry;
        return put(buf, cap, len, &s, sizeof s);
    }
    case ESOCK_OVT_SCTP_INITMSG: {
        struct sctp_initmsg m;
        memset(&m, 0, sizeof m);
        m.sinit_num_ostreams = v->u.initmsg.num_ostreams;
        m.sinit_max_instreams = v->u.initmsg.max_instreams;
        m.sinit_max_attempts = v->u.initmsg.max_attempts;
        m.sinit_max_init_timeo = v->u.initmsg.max_init_timeo;
        return put(buf, cap, len, &m, sizeof m);
    }
    case ESOCK_OVT_SCTP_RTOINFO: {
        struct sctp_rtoinfo r;
        memset(&r, 0, sizeof r);
        r.srto_assoc_id = v->u.rtoinfo.assoc_id;
        r.srto_initial = v->u.rtoinfo.initial;
        r.srto_max = v->u.rtoinfo.max;
        r.srto_min = v->u.rtoinfo.min;
        return put(buf, cap, len, &r, sizeof r);
    }
#endif
    default:
        /* tcp_info is get-only; otp values never reach the OS. */
        return ESOCK_EINVAL_VALUE;
    }
}

/* ---- decode ---------------------------------------------------------------------------- */

#define NEED(T)                \
    do {                       \
        if (len < sizeof(T))   \
            return ESOCK_EINVAL_VALUE; \
    } while (0)

int esock__optval_from_native(esock_optval_type_t type, const void *buf, size_t len,
                              esock_optval_t *v)
{
    int n;
    if (type != ESOCK_OVT_BYTES) {
        memset(v, 0, sizeof *v);
    }
    v->type = type;
    switch (type) {
    case ESOCK_OVT_BOOL:
        if (get_int(buf, len, &n))
            return ESOCK_EINVAL_VALUE;
        v->u.b = n != 0;
        return 0;
    case ESOCK_OVT_INT:
    case ESOCK_OVT_DOMAIN:
    case ESOCK_OVT_SOCKTYPE:
    case ESOCK_OVT_PROTOCOL:
        return get_int(buf, len, &v->u.i);
    case ESOCK_OVT_ERROR:
        if (get_int(buf, len, &n) || n < 0)
            return ESOCK_EINVAL_VALUE;
        v->u.i = -n;
        return 0;
    case ESOCK_OVT_IP_TOS:
        if (get_int(buf, len, &n) || n < 0 || n > 255)
            return ESOCK_EINVAL_VALUE;
        v->u.i = n;
        return 0;
    case ESOCK_OVT_IPV6_HOPS:
        if (get_int(buf, len, &n) || n < -1 || n > 255)
            return ESOCK_EINVAL_VALUE;
        v->u.i = n;
        return 0;
    case ESOCK_OVT_IP_PMTUDISC:
        if (get_int(buf, len, &n))
            return ESOCK_EINVAL_VALUE;
        return pmtu_from_native(pmtu4, n, &v->u.i);
    case ESOCK_OVT_IPV6_PMTUDISC:
        if (get_int(buf, len, &n))
            return ESOCK_EINVAL_VALUE;
        return pmtu_from_native(pmtu6, n, &v->u.i);
    case ESOCK_OVT_LINGER: {
        struct linger l;
        NEED(l);
        memcpy(&l, buf, sizeof l);
        if (l.l_linger < 0)
            return ESOCK_EINVAL_VALUE;
        v->u.linger.onoff = l.l_onoff != 0;
        v->u.linger.linger = l.l_linger;
        return 0;
    }
    case ESOCK_OVT_TIMEVAL: {
        struct timeval tv;
        NEED(tv);
        memcpy(&tv, buf, sizeof tv);
        if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec > 999999)
            return ESOCK_EINVAL_VALUE;
        v->u.tv.sec = (int64_t)tv.tv_sec;
        v->u.tv.usec = (int32_t)tv.tv_usec;
        return 0;
    }
    case ESOCK_OVT_IP_MREQ: {
        struct ip_mreq m;
        NEED(m);
        memcpy(&m, buf, sizeof m);
        in_to_ip4(&m.imr_multiaddr, &v->u.mreq.multiaddr);
        in_to_ip4(&m.imr_interface, &v->u.mreq.interface);
        return 0;
    }
    case ESOCK_OVT_IP_MREQ_SOURCE: {
        struct ip_mreq_source m;
        NEED(m);
        memcpy(&m, buf, sizeof m);
        in_to_ip4(&m.imr_multiaddr, &v->u.mreq_source.multiaddr);
        in_to_ip4(&m.imr_interface, &v->u.mreq_source.interface);
        in_to_ip4(&m.imr_sourceaddr, &v->u.mreq_source.sourceaddr);
        return 0;
    }
    case ESOCK_OVT_IPV6_MREQ: {
        struct ipv6_mreq m;
        NEED(m);
        memcpy(&m, buf, sizeof m);
        in6_to_ip6(&m.ipv6mr_multiaddr, &v->u.mreq6.multiaddr);
        v->u.mreq6.interface = m.ipv6mr_interface;
        return 0;
    }
    case ESOCK_OVT_IN_ADDR: {
        struct in_addr in;
        NEED(in);
        memcpy(&in, buf, sizeof in);
        in_to_ip4(&in, &v->u.ip);
        return 0;
    }
    case ESOCK_OVT_STRING: {
        /* The OS may or may not count a NUL; stop at the first one. */
        const char *s = buf;
        size_t l = len ? strnlen(s, len) : 0;
        if (l > ESOCK_OPT_STRMAX)
            return ESOCK_EINVAL_VALUE;
        memcpy(v->u.str.s, s, l);
        v->u.str.s[l] = 0;
        return 0;
    }
    case ESOCK_OVT_BYTES:
        if (len > v->u.bytes.len || (len > 0 && v->u.bytes.buf == NULL))
            return ESOCK_EINVAL_VALUE;
        if (len)
            memmove(v->u.bytes.buf, buf, len);
        v->u.bytes.len = len;
        return 0;
#ifdef __linux__
    case ESOCK_OVT_UCRED: {
        struct ucred c;
        NEED(c);
        memcpy(&c, buf, sizeof c);
        if (c.pid < 0)
            return ESOCK_EINVAL_VALUE;
        v->u.ucred.pid = c.pid;
        v->u.ucred.uid = c.uid;
        v->u.ucred.gid = c.gid;
        return 0;
    }
    case ESOCK_OVT_TCP_INFO: {
        /* Older kernels return a prefix: fields past len stay zero. */
        struct tcp_info ti;
        if (len < offsetof(struct tcp_info, tcpi_rto))
            return ESOCK_EINVAL_VALUE;
        memset(&ti, 0, sizeof ti);
        memcpy(&ti, buf, len < sizeof ti ? len : sizeof ti);
        esock_tcp_info_t *o = &v->u.tcp_info;
        o->state = ti.tcpi_state;
        o->ca_state = ti.tcpi_ca_state;
        o->retransmits = ti.tcpi_retransmits;
        o->probes = ti.tcpi_probes;
        o->backoff = ti.tcpi_backoff;
        o->options = ti.tcpi_options;
        o->snd_wscale = ti.tcpi_snd_wscale;
        o->rcv_wscale = ti.tcpi_rcv_wscale;
        o->rto = ti.tcpi_rto;
        o->ato = ti.tcpi_ato;
        o->snd_mss = ti.tcpi_snd_mss;
        o->rcv_mss = ti.tcpi_rcv_mss;
        o->unacked = ti.tcpi_unacked;
        o->sacked = ti.tcpi_sacked;
        o->lost = ti.tcpi_lost;
        o->retrans = ti.tcpi_retrans;
        o->fackets = ti.tcpi_fackets;
        o->last_data_sent = ti.tcpi_last_data_sent;
        o->last_ack_sent = ti.tcpi_last_ack_sent;
        o->last_data_recv = ti.tcpi_last_data_recv;
        o->last_ack_recv = ti.tcpi_last_ack_recv;
        o->pmtu = ti.tcpi_pmtu;
        o->rcv_ssthresh = ti.tcpi_rcv_ssthresh;
        o->rtt = ti.tcpi_rtt;
        o->rttvar = ti.tcpi_rttvar;
        o->snd_ssthresh = ti.tcpi_snd_ssthresh;
        o->snd_cwnd = ti.tcpi_snd_cwnd;
        o->advmss = ti.tcpi_advmss;
        o->reordering = ti.tcpi_reordering;
        o->rcv_rtt = ti.tcpi_rcv_rtt;
        o->rcv_space = ti.tcpi_rcv_space;
        o->total_retrans = ti.tcpi_total_retrans;
        return 0;
    }
#endif
#ifdef ESOCK_HAVE_SCTP_H
    case ESOCK_OVT_SCTP_ASSOCPARAMS: {
        struct sctp_assocparams p;
        NEED(p);
        memcpy(&p, buf, sizeof p);
        v->u.assocparams.assoc_id = p.sasoc_assoc_id;
        v->u.assocparams.asocmaxrxt = p.sasoc_asocmaxrxt;
        v->u.assocparams.number_peer_destinations = p.sasoc_number_peer_destinations;
        v->u.assocparams.peer_rwnd = p.sasoc_peer_rwnd;
        v->u.assocparams.local_rwnd = p.sasoc_local_rwnd;
        v->u.assocparams.cookie_life = p.sasoc_cookie_life;
        return 0;
    }
    case ESOCK_OVT_SCTP_EVENT_SUBSCRIBE: {
        struct sctp_event_subscribe s;
        NEED(s);
        memcpy(&s, buf, sizeof s);
        esock_sctp_event_subscribe_t *e = &v->u.events;
        e->data_io = s.sctp_data_io_event != 0;
        e->association = s.sctp_association_event != 0;
        e->address = s.sctp_address_event != 0;
        e->send_failure = s.sctp_send_failure_event != 0;
        e->peer_error = s.sctp_peer_error_event != 0;
        e->shutdown = s.sctp_shutdown_event != 0;
        e->partial_delivery = s.sctp_partial_delivery_event != 0;
        e->adaptation_layer = s.sctp_adaptation_layer_event != 0;
        e->sender_dry = s.sctp_sender_dry_event != 0;
        return 0;
    }
    case ESOCK_OVT_SCTP_INITMSG: {
        struct sctp_initmsg m;
        NEED(m);
        memcpy(&m, buf, sizeof m);
        v->u.initmsg.num_ostreams = m.sinit_num_ostreams;
        v->u.initmsg.max_instreams = m.sinit_max_instreams;
        v->u.initmsg.max_attempts = m.sinit_max_attempts;
        v->u.initmsg.max_init_timeo = m.sinit_max_init_timeo;
        return 0;
    }
    case ESOCK_OVT_SCTP_RTOINFO: {
        struct sctp_rtoinfo r;
        NEED(r);
        memcpy(&r, buf, sizeof r);
        v->u.rtoinfo.assoc_id = r.srto_assoc_id;
        v->u.rtoinfo.initial = r.srto_initial;
        v->u.rtoinfo.max = r.srto_max;
        v->u.rtoinfo.min = r.srto_min;
        return 0;
    }
#endif
    default:
        return ESOCK_EINVAL_VALUE;
    }
}

static bool ip_equal(const esock_ip_t *a, const esock_ip_t *b)
{
    if (a->family != b->family)
        return false;
    if (a->family == ESOCK_IP4)
        return memcmp(a->u.v4, b->u.v4, 4) == 0;
    return memcmp(a->u.v6, b->u.v6, sizeof a->u.v6) == 0;
}

bool esock__optval_equal(const esock_optval_t *a, const esock_optval_t *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case ESOCK_OVT_BOOL:
        return a->u.b == b->u.b;
    case ESOCK_OVT_INT:
    case ESOCK_OVT_IP_PMTUDISC:
    case ESOCK_OVT_IP_TOS:
    case ESOCK_OVT_IPV6_HOPS:
    case ESOCK_OVT_IPV6_PMTUDISC:
    case ESOCK_OVT_DOMAIN:
    case ESOCK_OVT_SOCKTYPE:
    case ESOCK_OVT_PROTOCOL:
    case ESOCK_OVT_ERROR:
        return a->u.i == b->u.i;
    case ESOCK_OVT_LINGER:
        return a->u.linger.onoff == b->u.linger.onoff && a->u.linger.linger == b->u.linger.linger;
    case ESOCK_OVT_TIMEVAL:
        return a->u.tv.sec == b->u.tv.sec && a->u.tv.usec == b->u.tv.usec;
    case ESOCK_OVT_IP_MREQ:
        return ip_equal(&a->u.mreq.multiaddr, &b->u.mreq.multiaddr) &&
               ip_equal(&a->u.mreq.interface, &b->u.mreq.interface);
    case ESOCK_OVT_IP_MREQ_SOURCE:
        return ip_equal(&a->u.mreq_source.multiaddr, &b->u.mreq_source.multiaddr) &&
               ip_equal(&a->u.mreq_source.interface, &b->u.mreq_source.interface) &&
               ip_equal(&a->u.mreq_source.sourceaddr, &b->u.mreq_source.sourceaddr);
    case ESOCK_OVT_IPV6_MREQ:
        return ip_equal(&a->u.mreq6.multiaddr, &b->u.mreq6.multiaddr) &&
               a->u.mreq6.interface == b->u.mreq6.interface;
    case ESOCK_OVT_IN_ADDR:
        return ip_equal(&a->u.ip, &b->u.ip);
    case ESOCK_OVT_STRING:
        return strcmp(a->u.str.s, b->u.str.s) == 0;
    case ESOCK_OVT_BYTES:
        return a->u.bytes.len == b->u.bytes.len &&
               (a->u.bytes.len == 0 || memcmp(a->u.bytes.buf, b->u.bytes.buf, a->u.bytes.len) == 0);
    case ESOCK_OVT_UCRED:
        return memcmp(&a->u.ucred, &b->u.ucred, sizeof a->u.ucred) == 0;
    case ESOCK_OVT_SCTP_ASSOCPARAMS: {
        const esock_sctp_assocparams_t *x = &a->u.assocparams, *y = &b->u.assocparams;
        return x->assoc_id == y->assoc_id && x->asocmaxrxt == y->asocmaxrxt &&
               x->number_peer_destinations == y->number_peer_destinations &&
               x->peer_rwnd == y->peer_rwnd && x->local_rwnd == y->local_rwnd &&
               x->cookie_life == y->cookie_life;
    }
    case ESOCK_OVT_SCTP_EVENT_SUBSCRIBE: {
        const esock_sctp_event_subscribe_t *x = &a->u.events, *y = &b->u.events;
        return x->data_io == y->data_io && x->association == y->association &&
               x->address == y->address && x->send_failure == y->send_failure &&
               x->peer_error == y->peer_error && x->shutdown == y->shutdown &&
               x->partial_delivery == y->partial_delivery &&
               x->adaptation_layer == y->adaptation_layer && x->sender_dry == y->sender_dry;
    }
    case ESOCK_OVT_SCTP_INITMSG:
        return memcmp(&a->u.initmsg, &b->u.initmsg, sizeof a->u.initmsg) == 0;
    case ESOCK_OVT_SCTP_RTOINFO: {
        const esock_sctp_rtoinfo_t *x = &a->u.rtoinfo, *y = &b->u.rtoinfo;
        return x->assoc_id == y->assoc_id && x->initial == y->initial && x->max == y->max &&
               x->min == y->min;
    }
    case ESOCK_OVT_TCP_INFO:
        return memcmp(&a->u.tcp_info, &b->u.tcp_info, sizeof a->u.tcp_info) == 0;
    case ESOCK_OVT_OTP_RCVBUF:
        return a->u.rcvbuf.n == b->u.rcvbuf.n && a->u.rcvbuf.size == b->u.rcvbuf.size;
    case ESOCK_OVT_OTP_BUFSZ:
        return a->u.bufsz == b->u.bufsz;
    case ESOCK_OVT_META:
        return a->u.meta == b->u.meta;
    case ESOCK_OVT_MBOX:
        return memcmp(&a->u.mbox, &b->u.mbox, sizeof a->u.mbox) == 0;
    default:
        return false;
    }
}
