/* Generation-tagged handle tables; see htab.h. */
#include "sys/htab.h"

#include <errno.h>

#include <esock/error.h>

#include "sys/sys.h"

#define IDX_BITS 20
#define IDX_MASK ((1u << IDX_BITS) - 1)

static uint32_t make_id(uint32_t idx, uint32_t gen)
{
    return (gen << IDX_BITS) | (idx + 1);
}

int esock__htab_add(struct esock__htab *t, void *obj, uint32_t *id)
{
    pthread_mutex_lock(&t->mu);
    if (t->free_head == 0) {
        if (t->cap >= ESOCK__HTAB_MAX) {
            pthread_mutex_unlock(&t->mu);
            return ESOCK_ESYSTEM_LIMIT;
        }
        uint32_t ncap = t->cap ? t->cap * 2 : 64;
        if (ncap > ESOCK__HTAB_MAX)
            ncap = ESOCK__HTAB_MAX;
        struct esock__hslot *s = esock__realloc(t->slots, ncap * sizeof *s);
        if (s == NULL) {
            pthread_mutex_unlock(&t->mu);
            return -ENOMEM;
        }
        for (uint32_t i = t->cap; i < ncap; i++) {
            s[i].obj = NULL;
            s[i].gen = 1;
            s[i].next_free = i + 1 < ncap ? i + 2 : 0;
        }
        t->free_head = t->cap + 1;
        t->slots = s;
        t->cap = ncap;
    }
    uint32_t idx = t->free_head - 1;
    struct esock__hslot *sl = &t->slots[idx];
    t->free_head = sl->next_free;
    sl->obj = obj;
    sl->next_free = 0;
    t->used++;
    *id = make_id(idx, sl->gen);
    pthread_mutex_unlock(&t->mu);
    return 0;
}

static struct esock__hslot *slot_of(struct esock__htab *t, uint32_t id)
{
    uint32_t idx = (id & IDX_MASK);
    if (idx == 0 || idx > t->cap)
        return NULL;
    struct esock__hslot *sl = &t->slots[idx - 1];
    if (sl->obj == NULL || sl->gen != id >> IDX_BITS)
        return NULL;
    return sl;
}

void *esock__htab_pin(struct esock__htab *t, uint32_t id)
{
    pthread_mutex_lock(&t->mu);
    struct esock__hslot *sl = slot_of(t, id);
    void *obj = sl ? sl->obj : NULL;
    if (obj != NULL)
        atomic_fetch_add(&((struct esock__ref *)obj)->refs, 1);
    pthread_mutex_unlock(&t->mu);
    return obj;
}

void *esock__htab_remove(struct esock__htab *t, uint32_t id)
{
    pthread_mutex_lock(&t->mu);
    struct esock__hslot *sl = slot_of(t, id);
    void *obj = NULL;
    if (sl != NULL) {
        obj = sl->obj;
        sl->obj = NULL;
        sl->gen = (sl->gen + 1) & 0xfff;
        if (sl->gen == 0)
            sl->gen = 1;
        sl->next_free = t->free_head;
        t->free_head = (uint32_t)(sl - t->slots) + 1;
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
        void *obj = t->slots[i].obj;
        if (obj != NULL) {
            atomic_fetch_add(&((struct esock__ref *)obj)->refs, 1);
            out[n++] = obj;
        }
    }
    pthread_mutex_unlock(&t->mu);
    return n;
}
