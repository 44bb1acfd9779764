/* test_opt: option table, value conversion, getopt/setopt, supports, ioctl. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opt_tests.h"

static int run(const char *name, const struct CMUnitTest *t, size_t n)
{
    return _cmocka_run_group_tests(name, t, n, NULL, NULL);
}

/* `ESOCK_WRITE_DOCS=path test_opt` regenerates docs/options.md and exits. */
static int write_docs(const char *path)
{
    char *doc = opt_render_docs();
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(doc, f) < 0) {
        perror(path);
        free(doc);
        return 1;
    }
    fclose(f);
    free(doc);
    return 0;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const char *docs = getenv("ESOCK_WRITE_DOCS");
    if (docs && *docs)
        return write_docs(docs);
    int fails = 0;
    fails += run("opt_table", opt_table_tests, opt_table_ntests);
    fails += run("opt_val", opt_val_tests, opt_val_ntests);
    fails += run("opt_fd", opt_fd_tests, opt_fd_ntests);
    fails += run("opt_supports", opt_supports_tests, opt_supports_ntests);
    fails += run("opt_ioctl", opt_ioctl_tests, opt_ioctl_ntests);
    fails += run("opt_sock", opt_sock_tests, opt_sock_ntests);
    fails += run("opt_fuzz", opt_fuzz_tests, opt_fuzz_ntests);
    return fails ? 1 : 0;
}
