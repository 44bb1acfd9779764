/* tests/opt: shared declarations of the option module's test files. */
#ifndef ESOCK_TESTS_OPT_H
#define ESOCK_TESTS_OPT_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <esock/opt.h>
#include "opt/opt_int.h"

#define OPT_GROUP(name)                             \
    extern const struct CMUnitTest name##_tests[]; \
    extern const size_t name##_ntests

OPT_GROUP(opt_table);
OPT_GROUP(opt_val);
OPT_GROUP(opt_fd);
OPT_GROUP(opt_supports);
OPT_GROUP(opt_ioctl);
OPT_GROUP(opt_sock);
OPT_GROUP(opt_fuzz);

#define OPT_NTESTS(name) const size_t name##_ntests = sizeof name##_tests / sizeof name##_tests[0]

/* Socket kinds the option tests open (raw fds). */
enum kind { K_TCP4, K_UDP4, K_TCP6, K_UDP6, K_UDP6_UNBOUND, K_RAW4, K_RAW6, K_LOCAL, K_SCTP, K__COUNT };
/* Open a socket of @p kind (connected where an option needs it); -1 if the
 * machine cannot. aux[0..1] get helper fds to close with opt_test_close. */
int opt_test_open(enum kind k, int aux[2]);
void opt_test_close(int fd, int aux[2]);
const char *opt_test_kind_name(enum kind k);

/* Render docs/options.md from the table. Returns a malloc'd string. */
char *opt_render_docs(void);

#endif
