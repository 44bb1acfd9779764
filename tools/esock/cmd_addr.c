/* esock parse, esock ntoa, esock format-error. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

typedef int (*parse_fn)(const char *, size_t, esock_ip_t *);

static const struct {
    const char *flag;
    parse_fn fn;
} parsers[] = {
    {"--address", esock_parse_address},       {"--strict", esock_parse_strict_address},
    {"--ipv4", esock_parse_ipv4_address},     {"--ipv4strict", esock_parse_ipv4strict_address},
    {"--ipv6", esock_parse_ipv6_address},     {"--ipv6strict", esock_parse_ipv6strict_address},
};

int cmd_parse(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, "parse"))
        return EXIT_OK;
    parse_fn fn = esock_parse_address;
    int i = 1, bad = 0;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--") == 0) { /* end of options: addresses follow */
            i++;
            break;
        }
        size_t k;
        for (k = 0; k < sizeof parsers / sizeof parsers[0]; k++)
            if (strcmp(argv[i], parsers[k].flag) == 0)
                break;
        if (k == sizeof parsers / sizeof parsers[0]) {
            fprintf(stderr, "esock parse: unknown option %s\n", argv[i]);
            return EXIT_USAGE;
        }
        fn = parsers[k].fn;
    }
    if (i == argc) {
        cli_usage(stderr, "parse");
        return EXIT_USAGE;
    }
    for (; i < argc; i++) {
        esock_ip_t ip;
        int rc = fn(argv[i], strlen(argv[i]), &ip);
        if (rc == 0) {
            fputs("{ok,", stdout);
            term_ip(stdout, &ip);
            puts("}");
        } else {
            term_error(stdout, rc);
            putchar('\n');
            bad = 1;
        }
    }
    return bad ? EXIT_FAILED : EXIT_OK;
}

/* A tuple "1,2,3,4" (digits, signs and commas only: any arity and values)
 * or an address string. */
static int to_ip(const char *arg, esock_ip_t *ip)
{
    if (arg[strspn(arg, "0123456789,-")] != '\0')
        return esock_parse_address(arg, strlen(arg), ip);
    int64_t v[16];
    size_t n = 0;
    const char *p = arg;
    while (*p && n < 16) {
        char *end;
        v[n++] = strtoll(p, &end, 10);
        if (end == p)
            return -EINVAL;
        p = *end == ',' ? end + 1 : end;
        if (*end != ',' && *end != '\0')
            return -EINVAL;
    }
    return esock_ip_from_ints(v, n, ip);
}

int cmd_ntoa(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, "ntoa"))
        return EXIT_OK;
    if (argc < 2) {
        cli_usage(stderr, "ntoa");
        return EXIT_USAGE;
    }
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        esock_ip_t ip;
        char buf[ESOCK_IP_STRLEN];
        int rc = to_ip(argv[i], &ip);
        if (rc == 0)
            rc = esock_ntoa(&ip, buf, sizeof buf);
        if (rc >= 0) {
            term_string(stdout, buf, (size_t)rc);
            putchar('\n');
        } else {
            term_error(stdout, -EINVAL);
            putchar('\n');
            bad = 1;
        }
    }
    return bad ? EXIT_FAILED : EXIT_OK;
}

int cmd_format_error(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, "format-error"))
        return EXIT_OK;
    if (argc < 2) {
        cli_usage(stderr, "format-error");
        return EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++) {
        const char *t = esock_format_error_atom(argv[i], strlen(argv[i]));
        term_string(stdout, t, strlen(t));
        putchar('\n');
    }
    return EXIT_OK;
}
