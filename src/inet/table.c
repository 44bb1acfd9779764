/*
 * inet/table.c - the inet handle table: generation-tagged ids, pinning.
 *
 * A handle is (generation << 20) | (slot + 1). A slot is reused only with a
 * new generation, so a stale handle never finds the new socket. Lookups
 * take one global mutex briefly; the socket itself has its own lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inet/inet_int.h"
#include "inet/owner.h"
#include "sys/sys.h"

#define SLOT_BITS 20
#define SLOT_MASK ((1u << SLOT_BITS) - 1)

static pthread_mutex_t tab_mu = PTHREAD_MUTEX_INITIALIZER;
static esock__isock_t **slots;
static uint32_t *gens;
static uint32_t nslots, capslots, nopen;
static uint32_t *freelist;
static uint32_t nfree;
static uint64_t serial;

static int grow(void)
{
    uint32_t ncap = capslots ? capslots * 2 : 64;
    if (ncap > SLOT_MASK)
        return -EMFILE;
    esock__isock_t **ns = esock__realloc(slots, ncap * sizeof *ns);
    if (!ns)
        return -ENOMEM;
    slots = ns;
    uint32_t *ng = esock__realloc(gens, ncap * sizeof *ng);
    if (!ng)
        return -ENOMEM;
    gens = ng;
    uint32_t *nf = esock__realloc(freelist, ncap * sizeof *nf);
    if (!nf)
        return -ENOMEM;
    freelist = nf;
    capslots = ncap;
    return 0;
}

int esock__inet_new(esock__isock_t **out)
{
    esock__owner_init();
    esock__isock_t *s = esock__calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    pthread_mutex_init(&s->mu, NULL);
    s->fd = -1;
    s->refs = 1;
    esock__inet_defaults(s);
    pthread_mutex_lock(&tab_mu);
    uint32_t idx;
    if (nfree) {
        idx = freelist[--nfree];
    } else {
        if (nslots == capslots) {
            int rc = grow();
            if (rc) {
                pthread_mutex_unlock(&tab_mu);
                pthread_mutex_destroy(&s->mu);
                esock__free(s);
                return rc;
            }
        }
        idx = nslots++;
        gens[idx] = 0;
    }
    gens[idx] = (gens[idx] + 1) & ((1u << (32 - SLOT_BITS)) - 1);
    if (gens[idx] == 0)
        gens[idx] = 1;
    slots[idx] = s;
    s->id = (gens[idx] << SLOT_BITS) | (idx + 1);
    s->serial = ++serial;
    nopen++;
    pthread_mutex_unlock(&tab_mu);
    *out = s;
    return 0;
}

esock__isock_t *esock__inet_pin(esock_inet_t h)
{
    uint32_t idx = (h.id & SLOT_MASK);
    if (idx == 0)
        return NULL;
    idx--;
    esock__isock_t *s = NULL;
    pthread_mutex_lock(&tab_mu);
    if (idx < nslots && slots[idx] && slots[idx]->id == h.id) {
        s = slots[idx];
        __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&tab_mu);
    return s;
}

static void destroy(esock__isock_t *s)
{
    pthread_mutex_destroy(&s->mu);
    esock__free(s->ibuf);
    esock__free(s);
}

void esock__inet_unpin(esock__isock_t *s)
{
    if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0)
        destroy(s);
}

void esock__inet_unregister(esock__isock_t *s)
{
    uint32_t idx = (s->id & SLOT_MASK) - 1;
    pthread_mutex_lock(&tab_mu);
    if (idx < nslots && slots[idx] == s) {
        slots[idx] = NULL;
        freelist[nfree++] = idx;
        nopen--;
    }
    pthread_mutex_unlock(&tab_mu);
}

size_t esock_inet_count(void)
{
    pthread_mutex_lock(&tab_mu);
    size_t n = nopen;
    pthread_mutex_unlock(&tab_mu);
    return n;
}

static int by_serial(const void *a, const void *b)
{
    const esock__isock_t *x = *(esock__isock_t *const *)a, *y = *(esock__isock_t *const *)b;
    return x->serial < y->serial ? -1 : x->serial > y->serial;
}

void esock__inet_foreach(void (*fn)(esock__isock_t *, void *), void *arg)
{
    pthread_mutex_lock(&tab_mu);
    size_t n = 0;
    esock__isock_t **v = esock__malloc((nopen ? nopen : 1) * sizeof *v);
    if (!v) {
        pthread_mutex_unlock(&tab_mu);
        return;
    }
    for (uint32_t i = 0; i < nslots; i++)
        if (slots[i]) {
            __atomic_add_fetch(&slots[i]->refs, 1, __ATOMIC_RELAXED);
            v[n++] = slots[i];
        }
    pthread_mutex_unlock(&tab_mu);
    qsort(v, n, sizeof *v, by_serial);
    for (size_t i = 0; i < n; i++) {
        fn(v[i], arg);
        esock__inet_unpin(v[i]);
    }
    esock__free(v);
}
