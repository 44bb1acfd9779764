/* Helpers of the fault-injection suite: allocation accounting, descriptor
 * counting, plain-fd peers. */
#include "ft.h"

#include "inet/inet_int.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- allocation accounting ---------------------------------------------- */

/* Live blocks: a chained hash of pointer -> (size, allocation number). The
 * nodes come from plain malloc, never through the seam. */
struct blk {
    struct blk *next;
    void *p;
    size_t size;
    unsigned long serial;
};

#define NBUCKET 4096
static struct blk *buckets[NBUCKET];
static long live;
static unsigned long serial;
static pthread_mutex_t amu = PTHREAD_MUTEX_INITIALIZER;
static unsigned fail_at, calls;
static bool failed;
static struct esock__sys under; /* the entries the wrappers call */

static size_t bucket_of(const void *p)
{
    uintptr_t v = (uintptr_t)p;
    return (size_t)((v >> 4) ^ (v >> 16)) % NBUCKET;
}

static void remember(void *p, size_t size)
{
    struct blk *b = malloc(sizeof *b);
    assert_non_null(b);
    b->p = p;
    b->size = size;
    b->serial = ++serial;
    size_t i = bucket_of(p);
    b->next = buckets[i];
    buckets[i] = b;
    live++;
}

/* Forgets p; false if it was not tracked (allocated before tracking). */
static bool forget(void *p)
{
    for (struct blk **pp = &buckets[bucket_of(p)]; *pp; pp = &(*pp)->next)
        if ((*pp)->p == p) {
            struct blk *b = *pp;
            *pp = b->next;
            free(b);
            live--;
            return true;
        }
    return false;
}

/* Decides whether this allocation fails (amu held). */
static bool should_fail(void)
{
    calls++;
    if (fail_at != 0 && calls == fail_at) {
        failed = true;
        return true;
    }
    return false;
}

static void *t_malloc(size_t n)
{
    pthread_mutex_lock(&amu);
    void *p = should_fail() ? NULL : under.malloc(n);
    if (p)
        remember(p, n);
    pthread_mutex_unlock(&amu);
    return p;
}

static void *t_calloc(size_t n, size_t m)
{
    pthread_mutex_lock(&amu);
    void *p = should_fail() ? NULL : under.calloc(n, m);
    if (p)
        remember(p, n * m);
    pthread_mutex_unlock(&amu);
    return p;
}

static void *t_realloc(void *old, size_t n)
{
    pthread_mutex_lock(&amu);
    void *p = NULL;
    if (!should_fail()) {
        bool tracked = old == NULL || forget(old);
        p = under.realloc(old, n);
        if (p == NULL && old != NULL && tracked)
            remember(old, 0); /* the old block stays */
        else if (p != NULL && tracked)
            remember(p, n);
    }
    pthread_mutex_unlock(&amu);
    return p;
}

static void t_free(void *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&amu);
    forget(p);
    under.free(p);
    pthread_mutex_unlock(&amu);
}

static void clear_live(void)
{
    for (size_t i = 0; i < NBUCKET; i++)
        while (buckets[i]) {
            struct blk *b = buckets[i];
            buckets[i] = b->next;
            free(b);
        }
    live = 0;
}

void ft_alloc_track(void)
{
    pthread_mutex_lock(&amu);
    if (esock__sys.malloc != t_malloc) {
        under = esock__sys;
        esock__sys.malloc = t_malloc;
        esock__sys.calloc = t_calloc;
        esock__sys.realloc = t_realloc;
        esock__sys.free = t_free;
    }
    clear_live();
    fail_at = 0;
    calls = 0;
    failed = false;
    pthread_mutex_unlock(&amu);
}

void ft_alloc_fail_at(unsigned n)
{
    pthread_mutex_lock(&amu);
    fail_at = n;
    calls = 0;
    failed = false;
    pthread_mutex_unlock(&amu);
}

unsigned ft_alloc_calls(void)
{
    pthread_mutex_lock(&amu);
    unsigned n = calls;
    pthread_mutex_unlock(&amu);
    return n;
}

bool ft_alloc_failed(void)
{
    pthread_mutex_lock(&amu);
    bool f = failed;
    pthread_mutex_unlock(&amu);
    return f;
}

long ft_alloc_live(void)
{
    pthread_mutex_lock(&amu);
    long n = live;
    pthread_mutex_unlock(&amu);
    return n;
}

void ft_alloc_dump(void)
{
    pthread_mutex_lock(&amu);
    for (size_t i = 0; i < NBUCKET; i++)
        for (struct blk *b = buckets[i]; b; b = b->next)
            fprintf(stderr, "  live block %p: %zu bytes, allocation #%lu\n", b->p, b->size, b->serial);
    pthread_mutex_unlock(&amu);
}

/* ---- sockets -------------------------------------------------------------- */

uint16_t ft_port(esock_t s)
{
    esock_sockaddr_t sa;
    ok(esock_sockname(s, &sa));
    return sa.u.in.port;
}

void ft_tcp_pair(esock_t *client, esock_t *server)
{
    esock_t l;
    ok(esock_open(AF_INET, SOCK_STREAM, 0, &l));
    esock_sockaddr_t sa = lo4(0);
    ok(esock_bind(l, &sa));
    ok(esock_listen(l, 4));
    sa = lo4(ft_port(l));
    ok(esock_open(AF_INET, SOCK_STREAM, 0, client));
    ok(esock_connect(*client, &sa, 2000, NULL));
    ok(esock_accept(l, 2000, server, NULL));
    ok(esock_close(l));
}

esock_inet_msg_t *ft_inet_msg(esock_mbox_t mb, int tmo_ms)
{
    int64_t end = now_ms() + tmo_ms;
    for (;;) {
        int64_t left = end - now_ms();
        esock_msg_t m;
        int rc = esock_mbox_recv(mb, &m, left > 0 ? left : 0);
        if (rc != 0)
            return NULL;
        esock_inet_msg_t *im = esock_inet_msg(&m);
        if (im != NULL)
            return im; /* the record is the payload: freed with esock_inet_msg_free */
        esock_msg_free(&m);
    }
}

/* ---- per test ------------------------------------------------------------- */

static int fds_at_setup;

int ft_setup(void **state)
{
    (void)state;
    esock__sys_reset();
    fds_at_setup = fd_count();
    return 0;
}

static void close_inet(esock__isock_t *s, void *arg)
{
    (void)arg;
    esock_inet_t h = {s->ref.id};
    esock_inet_close(h);
}

int ft_teardown(void **state)
{
    (void)state;
    esock__sys_reset();
    int socks = esock_number_of();
    size_t inets = esock_inet_count();
    int fds = fd_count();
    if (socks != 0 || inets != 0 || fds != fds_at_setup) {
        fprintf(stderr, "teardown: %d sockets, %zu inet sockets, fds %d -> %d\n", socks, inets,
                fds_at_setup, fds);
        /* Clean up so that the next tests start from nothing. */
        esock_t v[64];
        int n = esock_which_sockets(NULL, v, NELEM(v));
        for (int i = 0; i < n && i < (int)NELEM(v); i++)
            esock_close(v[i]);
        esock__inet_foreach(close_inet, NULL);
    }
    assert_int_equal(socks, 0);
    assert_int_equal(inets, 0);
    assert_int_equal(fds, fds_at_setup);
    return 0;
}

/* ---- figures -------------------------------------------------------------- */

static char notes[8192];
static size_t notes_len;

void ft_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(notes + notes_len, sizeof notes - notes_len, fmt, ap);
    va_end(ap);
    if (n > 0 && notes_len + (size_t)n < sizeof notes)
        notes_len += (size_t)n;
}

const char *ft_notes(void);
const char *ft_notes(void)
{
    return notes;
}
