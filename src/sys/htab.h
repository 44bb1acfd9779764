/*
 * sys/htab.h - generation-tagged handle tables (as nng's id maps).
 *
 * A handle is a 32-bit value: slot index + 1 in the low 20 bits and a
 * generation in the high 12. A stale handle (its slot freed, maybe reused)
 * never matches, so a call on it fails cleanly instead of touching freed or
 * foreign memory. Objects in a table start with a struct esock__ref, and
 * lookups pin them (refs++) while the table lock is held, so an object cannot
 * be freed between lookup and pin.
 */
#ifndef ESOCK_SYS_HTAB_H
#define ESOCK_SYS_HTAB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

struct esock__ref {
    _Atomic int refs;
};

struct esock__hslot {
    void *obj;
    uint32_t gen;
    uint32_t next_free; /* index + 1 of the next free slot, 0 = none */
};

struct esock__htab {
    pthread_mutex_t mu;
    struct esock__hslot *slots;
    uint32_t cap, used, free_head;
};

#define ESOCK__HTAB_INIT {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, 0}
#define ESOCK__HTAB_MAX (1u << 20) - 1

/* Adds obj; *id receives its handle. 0, -ENOMEM or ESOCK_ESYSTEM_LIMIT. */
int esock__htab_add(struct esock__htab *t, void *obj, uint32_t *id);
/* The object of id, pinned (refs + 1), or NULL if id is stale or invalid. */
void *esock__htab_pin(struct esock__htab *t, uint32_t id);
/* Removes id (later lookups fail). Returns the object, or NULL if stale. */
void *esock__htab_remove(struct esock__htab *t, uint32_t id);
/* Number of live handles. */
uint32_t esock__htab_count(struct esock__htab *t);
/* Pins every live object into out (at most cap); returns how many. */
uint32_t esock__htab_snapshot(struct esock__htab *t, void **out, uint32_t cap);

#endif
