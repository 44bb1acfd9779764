/*
 * inet/table.c - the inet handle table (the shared sys/htab.h: a stale
 * handle never finds a newer socket), pinning, and listing in creation
 * order. Lookups take the table's mutex briefly; the socket itself has its
 * own lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <esock/error.h>

#include "inet/inet_int.h"
#include "inet/owner.h"
#include "inet/rbuf.h"
#include "sys/sys.h"

static struct esock__htab table = ESOCK__HTAB_INIT;
static _Atomic uint64_t serial;

int esock__inet_new(esock__isock_t **out)
{
    esock__sys_init(); /* ESOCK_FAULTS applies to inet-only programs too */
    esock__owner_init();
    esock__isock_t *s = esock__calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    pthread_mutex_init(&s->mu, NULL);
    s->fd = -1;
    atomic_init(&s->ref.refs, 1);
    esock__inet_defaults(s);
    s->serial = atomic_fetch_add(&serial, 1) + 1;
    pthread_mutex_lock(&s->mu); /* held until the caller has filled it in */
    int rc = esock__htab_add(&table, &s->ref);
    if (rc) {
        pthread_mutex_unlock(&s->mu);
        pthread_mutex_destroy(&s->mu);
        esock__free(s);
        return rc == ESOCK_ESYSTEM_LIMIT ? -EMFILE : rc;
    }
    *out = s;
    return 0;
}

esock__isock_t *esock__inet_pin(esock_inet_t h)
{
    return esock__htab_pin(&table, h.id);
}

static void destroy(esock__isock_t *s)
{
    pthread_mutex_destroy(&s->mu);
    esock__rbuf_release(s->ibuf);
    esock__free(s);
}

void esock__inet_unpin(esock__isock_t *s)
{
    if (atomic_fetch_sub(&s->ref.refs, 1) == 1)
        destroy(s);
}

void esock__inet_unregister(esock__isock_t *s)
{
    esock__htab_remove(&table, s->ref.id); /* NULL when already removed */
}

size_t esock_inet_count(void)
{
    return esock__htab_count(&table);
}

static int by_serial(const void *a, const void *b)
{
    const esock__isock_t *x = *(esock__isock_t *const *)a, *y = *(esock__isock_t *const *)b;
    return x->serial < y->serial ? -1 : x->serial > y->serial;
}

void esock__inet_foreach(void (*fn)(esock__isock_t *, void *), void *arg)
{
    /* Sockets opened between the count and the snapshot are left out,
     * as if opened just after the listing. */
    uint32_t cap = esock__htab_count(&table);
    esock__isock_t **v = esock__malloc((cap ? cap : 1) * sizeof *v);
    if (!v)
        return;
    size_t n = esock__htab_snapshot(&table, (void **)v, cap);
    qsort(v, n, sizeof *v, by_serial);
    for (size_t i = 0; i < n; i++) {
        fn(v[i], arg);
        esock__inet_unpin(v[i]);
    }
    esock__free(v);
}
