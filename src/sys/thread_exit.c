/* Per-thread release functions; see thread_exit.h. */
#include "sys/thread_exit.h"

static pthread_mutex_t make_mu = PTHREAD_MUTEX_INITIALIZER;

/* pthread_once takes no argument, so the key is made under a lock, once. */
static int make_key(struct esock__thread_exit *te)
{
    pthread_mutex_lock(&make_mu);
    int st = atomic_load_explicit(&te->state, memory_order_relaxed);
    if (st == 0) {
        st = pthread_key_create(&te->key, te->fn) == 0 ? 1 : -1;
        atomic_store_explicit(&te->state, st, memory_order_release);
    }
    pthread_mutex_unlock(&make_mu);
    return st;
}

int esock__thread_exit_arm(struct esock__thread_exit *te)
{
    int st = atomic_load_explicit(&te->state, memory_order_acquire);
    if (st == 0)
        st = make_key(te);
    if (st < 0)
        return -1;
    /* any non-NULL value: the destructor runs only for those */
    return pthread_setspecific(te->key, te) == 0 ? 0 : -1;
}
