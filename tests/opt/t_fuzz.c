/*
 * Replays fuzz/corpus/optval/ through the fuzz target in the normal test
 * run (the target itself is fuzz/fuzz_optval.c, compiled in here), and
 * feeds it a bounded pseudo-random sweep of every value type.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opt_tests.h"

#include "../../fuzz/fuzz_optval.c"

#define CORPUS ESOCK_TEST_VECTORS "/../../fuzz/corpus/optval"

static void corpus_replays(void **state)
{
    (void)state;
    DIR *d = opendir(CORPUS);
    assert_non_null(d);
    int files = 0;
    struct dirent *e;
    static uint8_t buf[1 << 16];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", CORPUS, e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n); /* aborts on a violation */
        files++;
    }
    closedir(d);
    assert_true(files >= (int)ESOCK_OVT__COUNT);
}

static void random_sweep(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15u;
    uint8_t buf[200];
    for (int i = 0; i < 20000; i++) {
        size_t n = 1 + (size_t)(i % (int)sizeof buf);
        for (size_t j = 0; j < n; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[j] = (uint8_t)x;
        }
        buf[0] = (uint8_t)(i % ESOCK_OVT__COUNT);
        LLVMFuzzerTestOneInput(buf, n);
    }
}

const struct CMUnitTest opt_fuzz_tests[] = {
    cmocka_unit_test(corpus_replays),
    cmocka_unit_test(random_sweep),
};
OPT_NTESTS(opt_fuzz);
