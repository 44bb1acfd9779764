/*
 * sys/thread_exit.h - run a module's release function when a thread exits.
 *
 * Several modules keep per-thread state (caches of blocks and buffers, the
 * delay_send list) that must not outlive the thread. Each declares one
 * struct esock__thread_exit with its function and arms it on the thread
 * the first time it keeps something; the function then runs at that
 * thread's exit (a pthread key destructor, so not for the thread that
 * calls exit()). Arming again after the function ran arms it again.
 */
#ifndef ESOCK_SYS_THREAD_EXIT_H
#define ESOCK_SYS_THREAD_EXIT_H

#include <pthread.h>
#include <stdatomic.h>

struct esock__thread_exit {
    void (*fn)(void *unused);
    _Atomic int state; /* 0: no key yet, 1: key made, -1: no key to be had */
    pthread_key_t key;
};

#define ESOCK__THREAD_EXIT_INIT(fn) {(fn), 0, 0}

/* Have te->fn run at the calling thread's exit. 0, or -1 when no key can
 * be made or set (the caller then keeps nothing). Thread-safe; the caller
 * remembers per thread that it armed (one pthread_setspecific per thread). */
int esock__thread_exit_arm(struct esock__thread_exit *te);

#endif
