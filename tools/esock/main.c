/* esock: the command-line tool. One table of subcommands. */
#include "cli.h"

#include <string.h>


const struct cli_cmd cli_commands[] = {
    {"demo", cmd_demo, "", "the socket page's client/server example over loopback, with the socket table"},
    {"parse", cmd_parse, "[--strict|--ipv4|--ipv4strict|--ipv6|--ipv6strict] ADDRESS...",
     "parse addresses as inet:parse_*_address/1 does"},
    {"ntoa", cmd_ntoa, "ADDRESS|TUPLE...", "format addresses as inet:ntoa/1 does (TUPLE: 127,0,0,1)"},
    {"format-error", cmd_format_error, "ATOM...", "the inet:format_error/1 text of each atom"},
    {"resolve", cmd_resolve, "[--inet|--inet6] [--timeout MS] HOST...", "look hosts up (inet:gethostbyname/2)"},
    {"ifaddrs", cmd_ifaddrs, "[--netns PATH]", "list interfaces (inet:getifaddrs/0,1)"},
    {"supports", cmd_supports, "[KEY [KEY2]]", "what this build on this machine supports (socket:supports/0,1,2)"},
    {"decode", cmd_decode,
     "--packet TYPE [--packet-size N] [--line-length N] [--line-delimiter C] [--tsv] [--hex-input] [FILE|-]",
     "decode a byte stream packet by packet (erlang:decode_packet/3)"},
    {"echo", cmd_echo,
     "[--packet TYPE] [--active true|false|once|N] [--udp] [--inet6] (ADDR:PORT | --local PATH)",
     "an echo server; prints its bound address first, stops on SIGINT/SIGTERM"},
    {"cat", cmd_cat, "[--packet TYPE] [--udp] [--inet6] (ADDR:PORT | --local PATH)",
     "like netcat: stdin framed per packet type to the peer, replies to stdout"},
    {"bench", cmd_bench, "[--packet TYPE] [--connections N] [--size BYTES] [--seconds S]",
     "an echo server and a ping-pong load generator on loopback: msgs/s, MB/s, latency"},
    {NULL, NULL, NULL, NULL},
};

void cli_usage(FILE *f, const char *cmd)
{
    for (const struct cli_cmd *c = cli_commands; c->name; c++)
        if (cmd == NULL || strcmp(cmd, c->name) == 0)
            fprintf(f, "  esock %s %s\n      %s\n", c->name, c->usage, c->help);
}

bool cli_wants_help(int argc, char **argv, const char *cmd)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage:\n");
            cli_usage(stdout, cmd);
            return true;
        }
    return false;
}

int cli_fail(const char *cmd, const char *what, int code)
{
    fprintf(stderr, "esock %s: %s: %s (%s)\n", cmd, what, esock_format_error(code),
            esock_errname(code));
    return EXIT_FAILED;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fprintf(argc < 2 ? stderr : stdout, "usage: esock COMMAND [ARGS]\ncommands:\n");
        cli_usage(argc < 2 ? stderr : stdout, NULL);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    for (const struct cli_cmd *c = cli_commands; c->name; c++)
        if (strcmp(argv[1], c->name) == 0)
            return c->run(argc - 1, argv + 1);
    fprintf(stderr, "esock: unknown command '%s' (esock --help lists them)\n", argv[1]);
    return EXIT_USAGE;
}
