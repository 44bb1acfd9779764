/*
 * esock_sockaddr_format: one display line per socket address, for logs and
 * the command-line tool. Not meant to be parsed back, except the inet/inet6
 * forms, which are the usual "host:port" / "[host%scope]:port".
 */
#include <esock/addr.h>

#include "addr/addr_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct fmt {
    char *buf;
    size_t cap, n;
};

static void add(struct fmt *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct fmt *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = f->n < f->cap ? f->cap - f->n : 0;
    int k = vsnprintf(room ? f->buf + f->n : NULL, room, fmt, ap);
    va_end(ap);
    if (k > 0)
        f->n += (size_t)k;
}

static void add_hex(struct fmt *f, const uint8_t *p, size_t n, const char *sep)
{
    for (size_t i = 0; i < n; i++)
        add(f, "%s%02x", i && sep ? sep : "", p[i]);
    if (n == 0)
        add(f, "-");
}

/* Local names: printable ASCII as is, NUL as '@' (the ss/netstat habit for
 * abstract names), backslash and other bytes as \\ and \xHH. */
static void add_path(struct fmt *f, const char *p, size_t n)
{
    if (n == 0) {
        add(f, "(unnamed)");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == 0)
            add(f, "@");
        else if (c == '\\')
            add(f, "\\\\");
        else if (c < 0x20 || c > 0x7e)
            add(f, "\\x%02x", c);
        else
            add(f, "%c", c);
    }
}

int esock_sockaddr_format(const esock_sockaddr_t *sa, char *buf, size_t cap)
{
    char tmp[ESOCK_IP_STRLEN];
    struct fmt f = {buf, buf ? cap : 0, 0};
    if (sa == NULL)
        return -EINVAL;
    switch (sa->family) {
    case ESOCK_FAMILY_INET: {
        const uint8_t *a = sa->u.in.addr;
        add(&f, "%u.%u.%u.%u:%u", a[0], a[1], a[2], a[3], sa->u.in.port);
        break;
    }
    case ESOCK_FAMILY_INET6: {
        int n = esock__format_ip6(sa->u.in6.addr, tmp, sizeof tmp);
        add(&f, "[%.*s", n, tmp);
        if (sa->u.in6.scope_id != 0)
            add(&f, "%%%u", (unsigned)sa->u.in6.scope_id);
        add(&f, "]:%u", sa->u.in6.port);
        break;
    }
    case ESOCK_FAMILY_LOCAL:
        if (sa->u.local.len > sizeof sa->u.local.path)
            return -EINVAL;
        add_path(&f, sa->u.local.path, sa->u.local.len);
        break;
    case ESOCK_FAMILY_PACKET:
        if (sa->u.packet.addr_len > sizeof sa->u.packet.addr)
            return -EINVAL;
        add(&f, "packet:ifindex=%d,protocol=0x%04x,pkttype=%u,hatype=%u,addr=", sa->u.packet.ifindex,
            sa->u.packet.protocol, sa->u.packet.pkttype, sa->u.packet.hatype);
        add_hex(&f, sa->u.packet.addr, sa->u.packet.addr_len, ":");
        break;
    case ESOCK_FAMILY_LINK:
        if (sa->u.link.data_len > sizeof sa->u.link.data)
            return -EINVAL;
        add(&f, "link:index=%u,type=%u,nlen=%u,alen=%u,slen=%u,data=", sa->u.link.index,
            sa->u.link.type, sa->u.link.nlen, sa->u.link.alen, sa->u.link.slen);
        add_hex(&f, sa->u.link.data, sa->u.link.data_len, NULL);
        break;
    case ESOCK_FAMILY_UNSPEC:
    case ESOCK_FAMILY_NATIVE:
        if (sa->u.raw.len > sizeof sa->u.raw.data)
            return -EINVAL;
        if (sa->family == ESOCK_FAMILY_UNSPEC)
            add(&f, "unspec:");
        else
            add(&f, "native:family=%d,addr=", sa->u.raw.family);
        add_hex(&f, sa->u.raw.data, sa->u.raw.len, NULL);
        break;
    default:
        return -EINVAL;
    }
    if (f.n >= f.cap) {
        if (buf != NULL && cap > 0)
            buf[0] = '\0'; /* never a cut line that looks complete */
        return -ENOSPC;
    }
    return (int)f.n;
}
