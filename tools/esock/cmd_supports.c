/* esock supports [KEY [KEY2]]: socket:supports/0,1,2 in Erlang notation. */
#include "cli.h"

#include <stdlib.h>

int cmd_supports(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, "supports"))
        return EXIT_OK;
    if (argc > 3) {
        cli_usage(stderr, "supports");
        return EXIT_USAGE;
    }
    const char *k1 = argc > 1 ? argv[1] : NULL, *k2 = argc > 2 ? argv[2] : NULL;
    size_t n = esock_supports(k1, k2, NULL, 0);
    esock_supports_item_t *items = calloc(n ? n : 1, sizeof *items);
    if (items == NULL)
        return cli_fail("supports", "memory", -ENOMEM);
    n = esock_supports(k1, k2, items, n);
    putchar('[');
    for (size_t i = 0; i < n; i++) {
        printf("%s\n {", i ? "," : "");
        if (items[i].level)
            printf("{%s,%s}", items[i].level, items[i].key);
        else
            fputs(items[i].key, stdout);
        if (items[i].is_list)
            fputs(",[...]}", stdout);
        else
            printf(",%s}", items[i].value ? "true" : "false");
    }
    puts("]");
    free(items);
    return EXIT_OK;
}
