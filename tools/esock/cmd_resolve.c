/* esock resolve, esock ifaddrs. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static void print_hostent(const esock_hostent_t *he)
{
    fputs("{ok,{hostent,", stdout);
    term_string(stdout, he->name, strlen(he->name));
    fputs(",[", stdout);
    for (size_t i = 0; i < he->naliases; i++) {
        if (i)
            putchar(',');
        term_string(stdout, he->aliases[i], strlen(he->aliases[i]));
    }
    printf("],%s,%d,[", he->addrtype == ESOCK_IP6 ? "inet6" : "inet", he->length);
    for (size_t i = 0; i < he->naddrs; i++) {
        if (i)
            putchar(',');
        term_ip(stdout, &he->addrs[i]);
    }
    puts("]}}");
}

/* The largest --timeout: Erlang's largest timeout value (about 49.7 days). */
#define RESOLVE_MAX_MS ((int64_t)4294967295)

int cmd_resolve(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, "resolve"))
        return EXIT_OK;
    int family = ESOCK_IP4, i = 1, bad = 0;
    int64_t timeout = 5000;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--inet") == 0)
            family = ESOCK_IP4;
        else if (strcmp(argv[i], "--inet6") == 0)
            family = ESOCK_IP6;
        else if (strcmp(argv[i], "--timeout") == 0) {
            if (i + 1 == argc) {
                fprintf(stderr, "esock resolve: --timeout needs a value (MS)\n");
                return EXIT_USAGE;
            }
            if (!cli_num(argv[++i], &timeout) || timeout < 0 || timeout > RESOLVE_MAX_MS) {
                fprintf(stderr, "esock resolve: bad value for --timeout: '%s' (0..%lld ms)\n",
                        argv[i], (long long)RESOLVE_MAX_MS);
                return EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "esock resolve: unknown option %s\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (i == argc) {
        cli_usage(stderr, "resolve");
        return EXIT_USAGE;
    }
    for (; i < argc; i++) {
        esock_hostent_t *he = NULL;
        int rc = esock_gethostbyname(argv[i], strlen(argv[i]), family, timeout, &he);
        if (rc == 0) {
            print_hostent(he);
            esock_hostent_free(he);
        } else {
            term_error(stdout, rc);
            putchar('\n');
            bad = 1;
        }
    }
    return bad ? EXIT_FAILED : EXIT_OK;
}

static void print_flags(unsigned flags)
{
    fputs("[", stdout);
    int first = 1;
    for (unsigned bit = 1; bit <= ESOCK_IFF_MULTICAST; bit <<= 1)
        if (flags & bit) {
            printf("%s%s", first ? "" : ",", esock_ifflag_name(bit));
            first = 0;
        }
    fputs("]", stdout);
}

int cmd_ifaddrs(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, "ifaddrs"))
        return EXIT_OK;
    const char *netns = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--netns") == 0 && i + 1 < argc) {
            netns = argv[++i];
        } else {
            fprintf(stderr, "esock ifaddrs: unknown argument %s\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    esock_ifaddrs_t *ifa = NULL;
    int rc = netns ? esock_getifaddrs_netns(netns, &ifa) : esock_getifaddrs(&ifa);
    if (rc != 0) {
        term_error(stdout, rc);
        putchar('\n');
        return EXIT_FAILED;
    }
    fputs("{ok,[", stdout);
    for (size_t i = 0; i < ifa->count; i++) {
        const esock_ifaddrs_if_t *it = &ifa->ifs[i];
        printf("%s\n {", i ? "," : "");
        term_string(stdout, it->name, strlen(it->name));
        fputs(",[", stdout);
        for (size_t k = 0; k < it->nopts; k++) {
            const esock_ifopt_t *o = &it->opts[k];
            printf("%s{%s,", k ? "," : "", esock_ifopt_name(o->kind));
            if (o->kind == ESOCK_IFOPT_FLAGS) {
                print_flags(o->u.flags);
            } else if (o->kind == ESOCK_IFOPT_HWADDR) {
                fputc('[', stdout);
                for (size_t b = 0; b < o->u.hw.len; b++)
                    printf("%s%u", b ? "," : "", o->u.hw.bytes[b]);
                fputc(']', stdout);
            } else {
                term_ip(stdout, &o->u.ip);
            }
            fputc('}', stdout);
        }
        fputs("]}", stdout);
    }
    puts("]}");
    esock_ifaddrs_free(ifa);
    return EXIT_OK;
}
