/* Handle tables; see htab.h for why handles come from a counter. */
#include "sys/htab.h"

#include <errno.h>

#include <esock/error.h>

#include "sys/sys.h"

#define FIRST_CAP 64u

/* Doubles the table (or makes the first one). Under the wider mask a
 * handle in slot i stays there or moves to i + cap, which is free.
 * Called with the lock held. */
static int grow(struct esock__htab *t)
{
    uint32_t cap = t->cap, ncap = cap ? cap * 2 : FIRST_CAP;
    struct esock__ref **s = esock__realloc(t->slots, ncap * sizeof *s);
    if (s == NULL)
        return -ENOMEM;
    for (uint32_t i = cap; i < ncap; i++)
        s[i] = NULL;
    for (uint32_t i = 0; i < cap; i++)
        if (s[i] != NULL && (s[i]->id & cap) != 0) {
            s[i + cap] = s[i];
            s[i] = NULL;
        }
    t->slots = s;
    t->cap = ncap;
    return 0;
}

int esock__htab_add(struct esock__htab *t, struct esock__ref *obj)
{
    pthread_mutex_lock(&t->mu);
    int rc = 0;
    if (t->used >= ESOCK__HTAB_MAX)
        rc = ESOCK_ESYSTEM_LIMIT;
    else if ((t->used + 1) * 2 > t->cap)
        rc = grow(t);
    if (rc == 0) {
        /* At most half the slots are taken, so this ends within cap steps
         * (two on average). 0 is never a handle. */
        uint32_t h = t->last;
        do
            h++;
        while (h == 0 || t->slots[h & (t->cap - 1)] != NULL);
        t->last = h;
        obj->id = h;
        t->slots[h & (t->cap - 1)] = obj;
        t->used++;
    }
    pthread_mutex_unlock(&t->mu);
    return rc;
}

/* The slot holding handle @p id, or NULL if it is stale or invalid. */
static struct esock__ref **slot_of(struct esock__htab *t, uint32_t id)
{
    if (id == 0 || t->cap == 0)
        return NULL;
    struct esock__ref **sl = &t->slots[id & (t->cap - 1)];
    return *sl != NULL && (*sl)->id == id ? sl : NULL;
}

void *esock__htab_pin(struct esock__htab *t, uint32_t id)
{
    pthread_mutex_lock(&t->mu);
    struct esock__ref **sl = slot_of(t, id);
    struct esock__ref *obj = sl ? *sl : NULL;
    if (obj != NULL)
        atomic_fetch_add(&obj->refs, 1);
    pthread_mutex_unlock(&t->mu);
    return obj;
}

void *esock__htab_remove(struct esock__htab *t, uint32_t id)
{
    pthread_mutex_lock(&t->mu);
    struct esock__ref **sl = slot_of(t, id);
    struct esock__ref *obj = NULL;
    if (sl != NULL) {
        obj = *sl;
        *sl = NULL;
        t->used--;
    }
    pthread_mutex_unlock(&t->mu);
    return obj;
}

uint32_t esock__htab_count(struct esock__htab *t)
{
    pthread_mutex_lock(&t->mu);
    uint32_t n = t->used;
    pthread_mutex_unlock(&t->mu);
    return n;
}

uint32_t esock__htab_snapshot(struct esock__htab *t, void **out, uint32_t cap)
{
    uint32_t n = 0;
    pthread_mutex_lock(&t->mu);
    for (uint32_t i = 0; i < t->cap && n < cap; i++) {
        struct esock__ref *obj = t->slots[i];
        if (obj != NULL) {
            atomic_fetch_add(&obj->refs, 1);
            out[n++] = obj;
        }
    }
    pthread_mutex_unlock(&t->mu);
    return n;
}
