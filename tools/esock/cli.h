/* The esock tool: subcommands and the Erlang-notation printers they share. */
#ifndef ESOCK_CLI_H
#define ESOCK_CLI_H

#include <esock/esock.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
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
int cmd_decode(int argc, char **argv);
int cmd_echo(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_bench(int argc, char **argv);


/* True if argv has --help / -h: print usage of cmd and return. */
bool cli_wants_help(int argc, char **argv, const char *cmd);
void cli_usage(FILE *f, const char *cmd);

/* Erlang term notation. */
void term_ip(FILE *f, const esock_ip_t *ip);         /* {127,0,0,1} */
void term_string(FILE *f, const char *s, size_t n);  /* "..." with Erlang escapes */
void term_binary(FILE *f, const void *p, size_t n);  /* <<"...">> or <<1,2,3>> */
void term_error(FILE *f, int code);                  /* {error,eaddrinuse} */
void term_qbytes(FILE *f, const void *p, size_t n);  /* "..." with \xHH for other bytes */
void term_atom(FILE *f, const char *s, size_t n);    /* bare, or 'Quoted' */
void term_hex(FILE *f, const void *p, size_t n);     /* 0a1b..., "-" when empty */


/* Reads a whole stream into a malloc'ed buffer (NULL on ENOMEM). */
unsigned char *cli_read_all(FILE *in, size_t *len);

/* "ADDR:PORT", "[v6]:PORT", or a local path: into a socket address
 * (host names resolve as inet6 when inet6 is true, else inet). */
int cli_parse_endpoint(const char *s, bool inet6, esock_sockaddr_t *sa);

/* Options shared by echo and cat (net.c). */
struct cli_net {
    int packet;          /* esock_inet_packet_t */
    int64_t active;      /* ESOCK_INET_ACTIVE_* or a count */
    bool udp, inet6;
    const char *local;   /* --local PATH */
    esock_sockaddr_t addr;
};
/* Parses argv; 0 or an exit code (the message is printed). */
int cli_net_args(int argc, char **argv, const char *cmd, struct cli_net *n);
int cli_packet_type(const char *name);   /* inet packet type of a name, or -1 */
int cli_header_size(int inet_type);      /* 1, 2, 4 or 0 */
int cli_active(const char *s, int64_t *out);
/* A whole decimal number (clamped to the int64_t range on overflow). */
bool cli_num(const char *s, int64_t *out);
void cli_print_addr(FILE *f, const esock_sockaddr_t *sa);

/* The echo server (cmd_echo.c), also run by bench. Serves on the socket in
 * *n until *stop becomes true. Prints the bound address to addr_out if not
 * NULL; stores the bound address in n->addr. Returns an exit code. */
int cli_echo_serve(struct cli_net *n, atomic_int *stop, FILE *addr_out);

/* esock_inet_sendto, and again while it says -EAGAIN, for up to 2 s: a
 * local datagram receiver whose queue is full refuses at once (gen_udp's
 * eagain) and takes more as it reads. Returns the last result. */
int cli_sendto(esock_inet_t s, const esock_sockaddr_t *to, const void *data, size_t len);

/* Reports a failure the way every subcommand does: "esock NAME: WHAT: text". */
int cli_fail(const char *cmd, const char *what, int code);

#endif
