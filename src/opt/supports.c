/*
 * src/opt/supports.c - socket:supports/0,1,2 and is_supported/1,2,3.
 *
 * The answers come from the same tables the calls use (option table, msg
 * flag table, ioctl tables) plus a few runtime probes done once: can this
 * machine open an IPv6 socket, an SCTP socket. So what supports() says is
 * what the calls then do.
 */
#include "opt/opt_int.h"
#include "opt/optsys.h"
#include "sys/sys.h"

#include <netdb.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

/* ---- runtime probes ---------------------------------------------------------------- */

static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static bool have_ipv6, have_sctp;

static bool can_open(int domain, int type, int proto)
{
    int fd = esock__sys.socket(domain, type | SOCK_CLOEXEC, proto);
    if (fd < 0)
        return false;
    esock__sys.close(fd);
    return true;
}

static void probe(void)
{
    have_ipv6 = can_open(AF_INET6, SOCK_DGRAM, 0);
    have_sctp = can_open(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP);
}

bool esock__have_ipv6(void)
{
    pthread_once(&probe_once, probe);
    return have_ipv6;
}

bool esock__have_sctp(void)
{
    pthread_once(&probe_once, probe);
    return have_sctp;
}

/* ---- msg flags ------------------------------------------------------------------------ */

static const esock__named_t msg_flags[] = {
#ifdef MSG_CMSG_CLOEXEC
    {"cmsg_cloexec", MSG_CMSG_CLOEXEC},
#else
    {"cmsg_cloexec", -1},
#endif
#ifdef MSG_CONFIRM
    {"confirm", MSG_CONFIRM},
#else
    {"confirm", -1},
#endif
    {"ctrunc", MSG_CTRUNC},
    {"dontroute", MSG_DONTROUTE},
    {"eor", MSG_EOR},
#ifdef MSG_ERRQUEUE
    {"errqueue", MSG_ERRQUEUE},
#else
    {"errqueue", -1},
#endif
#ifdef MSG_MORE
    {"more", MSG_MORE},
#else
    {"more", -1},
#endif
#ifdef MSG_NOSIGNAL
    {"nosignal", MSG_NOSIGNAL},
#else
    {"nosignal", -1},
#endif
    {"oob", MSG_OOB},
    {"peek", MSG_PEEK},
    {"trunc", MSG_TRUNC},
};
#define N_MSG_FLAGS (sizeof msg_flags / sizeof msg_flags[0])

/* ---- protocols: what getprotoent() enumerates, plus the five the page names ------------- */

#define MAX_PROTOS 256
static pthread_once_t proto_once = PTHREAD_ONCE_INIT;
static const char *proto_names[MAX_PROTOS];
static size_t n_protos;
static char proto_pool[8192];

static bool proto_known(const char *name)
{
    for (size_t i = 0; i < n_protos; i++)
        if (strcmp(proto_names[i], name) == 0)
            return true;
    return false;
}

static void proto_add(const char *name, size_t *used)
{
    size_t l = strlen(name) + 1;
    if (n_protos >= MAX_PROTOS || *used + l > sizeof proto_pool || proto_known(name))
        return;
    memcpy(proto_pool + *used, name, l);
    proto_names[n_protos++] = proto_pool + *used;
    *used += l;
}

static void proto_load(void)
{
    size_t used = 0;
    static const char *const base[] = {"ip", "ipv6", "tcp", "udp", "sctp"};
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
        proto_add(base[i], &used);
    /* getprotoent is not thread-safe; this runs once, under pthread_once. */
    struct protoent pe, *res;
    char buf[1024];
    setprotoent(1);
    for (int guard = 0; guard < 1024; guard++) {
        if (getprotoent_r(&pe, buf, sizeof buf, &res) != 0 || res == NULL)
            break;
        proto_add(pe.p_name, &used);
        for (char **a = pe.p_aliases; a && *a; a++)
            proto_add(*a, &used);
    }
    endprotoent();
}

static bool proto_value(const char *name)
{
    if (strcmp(name, "ipv6") == 0)
        return esock__have_ipv6();
    if (strcmp(name, "sctp") == 0)
        return esock__have_sctp();
    return true;
}

/* ---- the lists ------------------------------------------------------------------------- */

typedef struct sink {
    esock_supports_item_t *out;
    size_t cap, n;
} sink_t;

static void emit(sink_t *s, const char *level, const char *key, bool is_list, bool value)
{
    if (s->n < s->cap && s->out) {
        s->out[s->n].level = level;
        s->out[s->n].key = key;
        s->out[s->n].is_list = is_list;
        s->out[s->n].value = value;
    }
    s->n++;
}

static bool netns_supported(void)
{
#if defined(__linux__)
    return true;
#else
    return false;
#endif
}

static bool sendfile_supported(void)
{
#if defined(__linux__)
    return true;
#else
    return false;
#endif
}

static void top(sink_t *s)
{
    emit(s, NULL, "ioctl_requests", true, false);
    emit(s, NULL, "ioctl_flags", true, false);
    emit(s, NULL, "options", true, false);
    emit(s, NULL, "msg_flags", true, false);
    emit(s, NULL, "protocols", true, false);
    emit(s, NULL, "sctp", false, esock__have_sctp());
    emit(s, NULL, "ipv6", false, esock__have_ipv6());
    emit(s, NULL, "local", false, true);
    emit(s, NULL, "netns", false, netns_supported());
    emit(s, NULL, "sendfile", false, sendfile_supported());
}

static void options(sink_t *s, int level)
{
    for (int o = 1; o < ESOCK_OPT__COUNT; o++) {
        const esock__optdef_t *d = &esock__opttab[o];
        if (d->level == ESOCK_LEVEL_OTP)
            continue; /* supports(options) lists the OS levels, as OTP does */
        if (level >= 0 && (int)d->level != level)
            continue;
        emit(s, esock_level_name(d->level), d->name, false, esock__opt_supported((esock_opt_t)o));
    }
}

static void named(sink_t *s, const esock__named_t *tab, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (tab[i].name[0])
            emit(s, NULL, tab[i].name, false, tab[i].native != -1);
}

size_t esock_supports(const char *key1, const char *key2, esock_supports_item_t *out, size_t cap)
{
    sink_t s = {out, out ? cap : 0, 0};
    if (key1 == NULL) {
        top(&s);
    } else if (strcmp(key1, "options") == 0) {
        if (key2 == NULL) {
            options(&s, -1);
        } else {
            int l = esock_level_lookup(key2);
            if (l > ESOCK_LEVEL_OTP)
                options(&s, l);
        }
    } else if (key2 != NULL) {
        /* only "options" has a second level */
    } else if (strcmp(key1, "msg_flags") == 0) {
        named(&s, msg_flags, N_MSG_FLAGS);
    } else if (strcmp(key1, "ioctl_requests") == 0) {
        named(&s, esock__ioctl_reqs, ESOCK_IOCTL__COUNT);
    } else if (strcmp(key1, "ioctl_flags") == 0) {
        named(&s, esock__ifflags, esock__n_ifflags);
    } else if (strcmp(key1, "protocols") == 0) {
        pthread_once(&proto_once, proto_load);
        for (size_t i = 0; i < n_protos; i++)
            emit(&s, NULL, proto_names[i], false, proto_value(proto_names[i]));
    }
    return s.n;
}

bool esock_is_supported(const char *key1, const char *key2, const char *key3)
{
    if (key1 == NULL)
        return false;
    if (strcmp(key1, "options") == 0) {
        if (key2 == NULL || key3 == NULL)
            return false;
        esock_opt_t o = esock_opt_lookup(key2, key3);
        return o != ESOCK_OPT_NONE && esock__opttab[o].level != ESOCK_LEVEL_OTP &&
               esock__opt_supported(o);
    }
    if (key3 != NULL)
        return false;
    esock_supports_item_t items[MAX_PROTOS];
    size_t n = esock_supports(key2 ? key1 : NULL, NULL, items, MAX_PROTOS);
    const char *want = key2 ? key2 : key1;
    for (size_t i = 0; i < n && i < MAX_PROTOS; i++)
        if (strcmp(items[i].key, want) == 0)
            return !items[i].is_list && items[i].value;
    return false;
}
