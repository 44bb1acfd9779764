/* The esock tool: subcommands and the Erlang-notation printers they share. */
#ifndef ESOCK_CLI_H
#define ESOCK_CLI_H

#include <esock/esock.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <stdio.h>

/* Exit codes a script can rely on. */
enum {
    EXIT_OK = 0,
    EXIT_FAILED = 1, /* the operation failed (an {error, ...} result) */
    EXIT_USAGE = 2   /* bad command line */
};

struct cli_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage; /* one line after "esock NAME " */
    const char *help;  /* one sentence */
};

extern const struct cli_cmd cli_commands[];

/* The subcommands (one file each). */
int cmd_demo(int argc, char **argv);
int cmd_parse(int argc, char **argv);
int cmd_ntoa(int argc, char **argv);
int cmd_format_error(int argc, char **argv);
int cmd_resolve(int argc, char **argv);
int cmd_ifaddrs(int argc, char **argv);
int cmd_supports(int argc, char **argv);


/* True if argv has --help / -h: print usage of cmd and return. */
bool cli_wants_help(int argc, char **argv, const char *cmd);
void cli_usage(FILE *f, const char *cmd);

/* Erlang term notation. */
void term_ip(FILE *f, const esock_ip_t *ip);         /* {127,0,0,1} */
void term_string(FILE *f, const char *s, size_t n);  /* "..." with Erlang escapes */
void term_binary(FILE *f, const void *p, size_t n);  /* <<"...">> or <<1,2,3>> */
void term_error(FILE *f, int code);                  /* {error,eaddrinuse} */

/* "ADDR:PORT", "[v6]:PORT", or a local path: into a socket address. */
int cli_parse_endpoint(const char *s, esock_sockaddr_t *sa);

/* Reports a failure the way every subcommand does: "esock NAME: WHAT: text". */
int cli_fail(const char *cmd, const char *what, int code);

#endif
