#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "inet/inet_int.h"

int local_peer_pair(const esock_inet_opt_t *o, size_t n, esock_mbox_t owner, esock_inet_t *l, esock_inet_t *a)
{
    static unsigned seq;
    esock_sockaddr_t sa;
    memset(&sa, 0, sizeof sa);
    sa.family = ESOCK_FAMILY_LOCAL;
    char path[64];
    int len = snprintf(path, sizeof path, "%cesock-inet-pair-%d-%u", 0, (int)getpid(), seq++);
    memcpy(sa.u.local.path, path, (size_t)len);
    sa.u.local.len = (size_t)len;
    assert_int_equal(esock_inet_listen(l, &sa, 4, o, n, owner), 0);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    memcpy(un.sun_path, path, (size_t)len);
    assert_int_equal(connect(fd, (struct sockaddr *)&un, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)len)), 0);
    assert_int_equal(esock_inet_accept(*l, a, owner, 2000), 0);
    return fd;
}

esock_inet_msg_t *expect_msg(esock_mbox_t mb, int kind)
{
    esock_inet_msg_t *m = tm_recv(mb, 2000);
    assert_non_null(m);
    if ((int)m->kind != kind)
        print_error("expected message kind %d, got %d (error %d)\n", kind, m->kind, m->error);
    assert_int_equal(m->kind, kind);
    return m;
}

void expect_none(esock_mbox_t mb, int ms)
{
    esock_inet_msg_t *m = tm_recv(mb, ms);
    if (m)
        print_error("unexpected message kind %d\n", m->kind);
    assert_null(m);
}

void expect_down(esock_mbox_t mb, uint64_t mref, int info)
{
    esock_inet_msg_t *m = expect_msg(mb, ESOCK_INET_MSG_DOWN);
    assert_int_equal(m->mref, mref);
    assert_int_equal(m->error, info);
    esock_inet_msg_free(m);
}

void activate_once(esock_inet_t s, esock_mbox_t owner)
{
    assert_int_equal(esock_inet_controlling_process(s, owner), 0);
    const esock_inet_opt_t once[] = {OPTI(ACTIVE, ESOCK_INET_ACTIVE_ONCE)};
    assert_int_equal(esock_inet_setopts(s, once, 1), 0);
}

static void close_leftover(esock__isock_t *s, void *arg)
{
    esock_inet_t h = {s->ref.id};
    (void)arg;
    esock_inet_close(h);
}

int inet_teardown(void **state)
{
    (void)state;
    /* Every test closes what it opened. A leak is reported, then cleaned so
     * that the next tests start from an empty table. */
    size_t left = esock_inet_count();
    if (left)
        esock__inet_foreach(close_leftover, NULL);
    assert_int_equal(left, 0);
    return 0;
}

esock_mbox_t tm_new(void)
{
    esock_mbox_t mb;
    assert_int_equal(esock_mbox_create(&mb), 0);
    return mb;
}

void tm_free(esock_mbox_t mb)
{
    assert_int_equal(esock_mbox_destroy(mb), 0);
}

esock_inet_msg_t *tm_recv(esock_mbox_t mb, int tmo_ms)
{
    esock_msg_t m;
    if (esock_mbox_recv(mb, &m, tmo_ms) != 0)
        return NULL;
    esock_inet_msg_t *im = esock_inet_msg(&m);
    assert_non_null(im); /* only inet messages are expected here */
    assert_int_equal(im->kind, m.kind);
    assert_int_equal(im->sock.id, m.socket);
    return im; /* the payload: freed with esock_inet_msg_free */
}

bool inet_sleeper(esock_inet_t h, bool reader)
{
    esock__isock_t *s = esock__inet_pin(h);
    if (!s)
        return false;
    pthread_mutex_lock(&s->mu);
    bool w = (reader ? s->reader_busy : s->busy) && s->waiters != NULL;
    pthread_mutex_unlock(&s->mu);
    esock__inet_unpin(s);
    return w;
}

bool inet_wait_sleeper(esock_inet_t h, bool reader, int ms)
{
    for (int i = 0; i < ms; i++) {
        if (inet_sleeper(h, reader))
            return true;
        msleep(1);
    }
    return inet_sleeper(h, reader);
}

int inet_stalled_pair(const esock_inet_opt_t *o, size_t n, esock_mbox_t mb, esock_inet_t *l,
                      esock_inet_t *a)
{
    int fd = inet_peer_pair(o, n, mb, l, a);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    esock_inet_opt_t sb = OPT(SNDBUF, 4096);
    assert_int_equal(esock_inet_setopts(*a, &sb, 1), 0);
    return fd;
}

int64_t get1(esock_inet_t s, esock_inet_optname_t n)
{
    esock_inet_opt_t o = {.name = n};
    size_t k = 0;
    assert_int_equal(esock_inet_getopts(s, &o, 1, &k), 0);
    assert_int_equal(k, 1);
    return o.v.i;
}

int inet_stalled_local_pair(const esock_inet_opt_t *o, size_t n, esock_mbox_t mb, esock_inet_t *l,
                            esock_inet_t *a)
{
    int fd = local_peer_pair(o, n, mb, l, a);
    esock_inet_opt_t sb = OPT(SNDBUF, 4096);
    assert_int_equal(esock_inet_setopts(*a, &sb, 1), 0);
    return fd;
}

/* Fills @p a's queue with nowait sends until it is busy for good: the
 * peer of a stalled local pair does not read, so once the kernel is full
 * every nowait send says ESOCK_SELECT (one alone may be an EAGAIN that
 * the fault-injected run made up, and the next nowait send writes on). */
void fill_until_busy(esock_inet_t a)
{
    static const char chunk[4096];
    int selects = 0;
    for (int k = 0; k < 10000 && selects < 50; k++) {
        int rc = esock_inet_send_ex(a, chunk, sizeof chunk, ESOCK_NOWAIT);
        if (rc == ESOCK_SELECT)
            selects++;
        else
            assert_int_equal(rc, 0), selects = 0;
    }
    assert_int_equal(selects, 50);
}

void peer_read(stalled_peer_t *p)
{
    static uint8_t sink[1 << 16];
    ssize_t r;
    while ((r = recv(p->fd, sink, sizeof sink, MSG_DONTWAIT)) > 0) {
        size_t n = (size_t)r, keep = sizeof p->tail;
        if (n >= keep) {
            memcpy(p->tail, sink + n - keep, keep);
        } else {
            memmove(p->tail, p->tail + n, keep - n);
            memcpy(p->tail + keep - n, sink, n);
        }
        p->got += n;
    }
}

/* The peer reads until the owner's loop has written the queue below
 * low_watermark and posted READY. (A READY from a moment the fill was not
 * busy, which the fault-injected run can make, comes first and is passed
 * over: the one awaited leaves @p a not busy.) */
void drain_until_ready(stalled_peer_t *p, esock_inet_t a, esock_mbox_t mb)
{
    int64_t end = now_ms() + 5000;
    while (now_ms() < end) {
        peer_read(p);
        esock_inet_msg_t *r = tm_recv(mb, 10);
        if (r && r->kind == ESOCK_INET_MSG_READY) {
            esock_inet_msg_free(r);
            esock_inet_info_t info;
            assert_int_equal(esock_inet_info(a, &info), 0);
            if (!(info.states & ESOCK_INET_ST_BUSY))
                return;
            continue;
        }
        assert_null(r);
    }
    fail_msg("no READY within 5 s");
}

char *i_listing(int proto, const esock_inet_icol_t *cols, size_t ncols, bool show_ports, int *rc)
{
    char *txt = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&txt, &len);
    assert_non_null(f);
    int r = esock_inet_i(f, proto, cols, ncols, show_ports);
    fclose(f);
    if (rc)
        *rc = r;
    return txt;
}
