/*
 * sys/htab.h - handle tables (in the manner of nng's id maps).
 *
 * A handle is a 32-bit value drawn from a per-table counter that only moves
 * forward, so a closed socket's handle is not handed out again until the
 * counter has gone round all 2^32 values: a call on a stale handle fails
 * cleanly instead of reaching another object. (An earlier design packed a
 * slot index and a 12-bit generation into the handle; a slot reused 4096
 * times gave an old handle back - the hostile suite proves this cannot
 * happen now.)
 *
 * Lookups stay one array access: a handle lives in slot (handle & (cap-1)).
 * A new handle skips counter values whose slot is taken; the table doubles
 * when half full, and doubling never makes two handles share a slot (values
 * distinct modulo cap stay distinct modulo 2*cap).
 *
 * Objects in a table start with a struct esock__ref: their pin count and
 * their handle. A slot is just the object's address (8 bytes: with two to
 * four slots per live handle, storing the handle in the slot too cost 26
 * bytes per idle connection), and a lookup compares the handle in the
 * object, whose cache line the pin touches anyway. Lookups pin (refs++)
 * while the table lock is held, so an object cannot be freed between
 * lookup and pin.
 */
#ifndef ESOCK_SYS_HTAB_H
#define ESOCK_SYS_HTAB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

struct esock__ref {
    _Atomic int refs;
    uint32_t id; /* the handle, set by esock__htab_add; constant after it */
};

struct esock__htab {
    pthread_mutex_t mu;
    struct esock__ref **slots; /* NULL = free */
    uint32_t cap, used; /* cap is 0 or a power of two */
    uint32_t last;      /* the counter: the last handle given out */
};

#define ESOCK__HTAB_INIT {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, 0}
/* Most live handles in one table. */
#define ESOCK__HTAB_MAX ((1u << 20) - 1)

/* Adds obj and sets obj->id to its handle (never 0). 0, -ENOMEM or
 * ESOCK_ESYSTEM_LIMIT (ESOCK__HTAB_MAX handles live). */
int esock__htab_add(struct esock__htab *t, struct esock__ref *obj);
/* The object of id, pinned (refs + 1), or NULL if id is stale or invalid. */
void *esock__htab_pin(struct esock__htab *t, uint32_t id);
/* Removes id (later lookups fail). Returns the object, or NULL if stale. */
void *esock__htab_remove(struct esock__htab *t, uint32_t id);
/* Number of live handles. */
uint32_t esock__htab_count(struct esock__htab *t);
/* Pins every live object into out (at most cap); returns how many. */
uint32_t esock__htab_snapshot(struct esock__htab *t, void **out, uint32_t cap);

#endif
