/*
 * sandbox.h - run a check in a forked child with its own mount namespace
 * (and optionally its own network namespace), where /etc/hosts,
 * /etc/resolv.conf and /etc/nsswitch.conf are files the test wrote.
 */
#ifndef ESOCK_TEST_RESOLVE_SANDBOX_H
#define ESOCK_TEST_RESOLVE_SANDBOX_H

#include <stdbool.h>
#include <stdio.h>

/* A check inside the child: report and fail the child (no cmocka there,
 * its longjmp would resume the test runner inside the child). */
#define CHK(c)                                                                      \
    do {                                                                            \
        if (!(c)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);   \
            return 1;                                                               \
        }                                                                           \
    } while (0)

typedef struct sandbox_files {
    const char *hosts;    /* contents of /etc/hosts, or NULL to keep it */
    const char *resolv;   /* contents of /etc/resolv.conf, or NULL */
    const char *nsswitch; /* contents of /etc/nsswitch.conf, or NULL */
    bool new_netns;       /* also a private network namespace (lo up) */
} sandbox_files_t;

/* Run fn() in the sandbox. Returns fn's result (0 = pass), 77 if the
 * sandbox cannot be made here, or another value on a crash or timeout. */
int sandbox_run(const sandbox_files_t *files, int (*fn)(void), int limit_s);

#endif
