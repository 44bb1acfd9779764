/*
 * test_faults: the library under OS faults (allocation failure, EMFILE,
 * ENOBUFS/ENOMEM, EINTR, peer reset, half-close, spurious readiness). Prints the figures the
 * tests measured (allocation points per operation, faults injected) at the
 * end of the run.
 */
#include "ft.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ft_notes(void);

/* The main thread's caches (its implicit mailbox, the inet layer's wake-up
 * eventfd) live as long as the thread: made here, before the first test
 * counts descriptors. */
static void warm_thread_caches(void)
{
    (void)esock_mbox_self();
    esock_inet_t l;
    esock_sockaddr_t sa = lo4(0);
    if (esock_inet_listen(&l, &sa, 1, NULL, 0, ESOCK_INET_NO_OWNER) == 0) {
        esock_inet_t a;
        (void)esock_inet_accept(l, &a, ESOCK_INET_NO_OWNER, 1); /* waits: makes the eventfd */
        esock_inet_close(l);
    }
}

int main(void)
{
    warm_thread_caches();
    const struct {
        const struct CMUnitTest *t;
        size_t n;
    } groups[] = {
        {ft_alloc_tests, ft_alloc_count}, {ft_accept_tests, ft_accept_count},
        {ft_errno_tests, ft_errno_count}, {ft_reset_tests, ft_reset_count},
        {ft_half_tests, ft_half_count},   {ft_eintr_tests, ft_eintr_count},
        {ft_spurious_tests, ft_spurious_count}, {ft_deadline_tests, ft_deadline_count},
    };
    size_t n = 0;
    for (size_t g = 0; g < NELEM(groups); g++)
        n += groups[g].n;
    struct CMUnitTest *all = calloc(n, sizeof *all);
    if (all == NULL)
        return 1;
    size_t k = 0;
    for (size_t g = 0; g < NELEM(groups); g++) {
        memcpy(all + k, groups[g].t, groups[g].n * sizeof *all);
        k += groups[g].n;
    }
    for (size_t i = 0; i < n; i++) { /* every test: real seam, nothing left over */
        all[i].setup_func = ft_setup;
        all[i].teardown_func = ft_teardown;
    }
    int rc = _cmocka_run_group_tests("faults", all, n, NULL, NULL);
    free(all);
    struct esock__faults f;
    esock__sys_faults(&f);
    printf("%s", ft_notes());
    printf("faults injected through the seam (whole run): eintr %llu, eagain %llu, short %llu\n",
           (unsigned long long)f.injected_eintr, (unsigned long long)f.injected_eagain,
           (unsigned long long)f.injected_short);
    return rc;
}
