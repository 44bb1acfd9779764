/*
 * esock cat: like netcat. Standard input goes to the peer framed per packet
 * type (1, 2, 4: each input line is one message; raw, line and the others:
 * the bytes as they are); replies go to standard output (1, 2, 4: one per
 * line). After end of input the write side is shut down and the replies are
 * read until the peer closes. UDP: one datagram per line (per read in raw
 * mode), and replies are awaited for up to 2 s each.
 */
#include "cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct reader {
    esock_inet_t s;
    bool lines; /* a newline after each reply packet */
    int rc;
};

static void *read_replies(void *arg)
{
    struct reader *r = arg;
    size_t cap = 1 << 16, got;
    unsigned char *buf = malloc(cap);
    r->rc = buf ? 0 : -ENOMEM;
    while (buf != NULL) {
        int rc = esock_inet_recv(r->s, buf, cap, 0, &got, ESOCK_INFINITY);
        if (rc == -ENOBUFS) {
            unsigned char *nb = realloc(buf, cap * 4);
            if (nb == NULL) {
                r->rc = -ENOMEM;
                break;
            }
            buf = nb;
            cap *= 4;
            continue;
        }
        if (rc != 0) {
            if (rc != ESOCK_ECLOSED)
                r->rc = rc;
            break;
        }
        fwrite(buf, 1, got, stdout);
        if (r->lines)
            putchar('\n');
        fflush(stdout);
    }
    free(buf);
    return NULL;
}

/* The next message of stdin: a line without its newline (lines), or a chunk. */
static ssize_t next_input(bool lines, char **line, size_t *cap)
{
    if (lines) {
        ssize_t n = getline(line, cap, stdin);
        if (n > 0 && (*line)[n - 1] == '\n')
            n--;
        return n;
    }
    if (*cap < 65536) {
        char *nl = realloc(*line, 65536);
        if (nl == NULL)
            return -1;
        *line = nl;
        *cap = 65536;
    }
    size_t n = fread(*line, 1, *cap, stdin);
    return n ? (ssize_t)n : -1;
}

static int cat_udp(struct cli_net *n)
{
    esock_inet_t s;
    esock_inet_opt_t o[] = {esock_inet_opt_int(ESOCK_IOPT_MODE, 1),
                            esock_inet_opt_int(ESOCK_IOPT_ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    esock_sockaddr_t any, *bindto = NULL;
    int rc;
    if (n->addr.family == ESOCK_FAMILY_LOCAL) { /* a local datagram socket needs a name to be answered */
        char path[sizeof n->addr.u.local.path + 32];
        struct stat st;
        /* next to the peer's own name (given by --local or as ADDR) */
        int plen = snprintf(path, sizeof path, "%.*s.cat%ld", (int)n->addr.u.local.len,
                            n->addr.u.local.path, (long)getpid());
        /* A name cut to fit could be the peer's own: refuse it instead. */
        if (plen < 0 || (size_t)plen >= sizeof path ||
            (rc = esock_sockaddr_local(&any, path, (size_t)plen)) != 0) {
            fprintf(stderr, "esock cat: --local PATH is too long for the client's name PATH.cat%ld\n",
                    (long)getpid());
            return EXIT_USAGE;
        }
        if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
            unlink(path); /* a stale socket; any other file is left alone (bind fails) */
        bindto = &any;
    } else if (n->addr.family == ESOCK_FAMILY_INET6) {
        esock_ip_t ip;
        esock_parse_address("::", 2, &ip);
        esock_sockaddr_ip(&any, &ip, 0);
        bindto = &any;
    }
    rc = esock_inet_udp_open(&s, bindto, o, 2, ESOCK_INET_NO_OWNER);
    if (rc != 0)
        return cli_fail("cat", "open", rc);
    bool lines = cli_header_size(n->packet) > 0;
    char *line = NULL, *buf = malloc(65536);
    size_t cap = 0;
    ssize_t len;
    int ret = EXIT_OK;
    while (buf && ret == EXIT_OK && (len = next_input(lines, &line, &cap)) >= 0) {
        if ((rc = cli_sendto(s, &n->addr, line, (size_t)len)) != 0) {
            ret = cli_fail("cat", "send", rc);
            break;
        }
        size_t got;
        rc = esock_inet_recvfrom(s, buf, 65536, &got, NULL, NULL, NULL, 2000);
        if (rc != 0) {
            ret = cli_fail("cat", "recv", rc);
            break;
        }
        fwrite(buf, 1, got, stdout);
        if (lines)
            putchar('\n');
        fflush(stdout);
    }
    if (bindto == &any && any.family == ESOCK_FAMILY_LOCAL)
        unlink(any.u.local.path);
    free(line);
    free(buf);
    esock_inet_close(s);
    return ret;
}

int cmd_cat(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, "cat"))
        return EXIT_OK;
    struct cli_net n;
    int rc = cli_net_args(argc, argv, "cat", &n);
    if (rc != 0)
        return rc;
    signal(SIGPIPE, SIG_IGN);
    if (n.udp)
        return cat_udp(&n);
    esock_inet_opt_t o[] = {esock_inet_opt_int(ESOCK_IOPT_MODE, 1),
                            esock_inet_opt_int(ESOCK_IOPT_PACKET, n.packet),
                            esock_inet_opt_int(ESOCK_IOPT_ACTIVE, ESOCK_INET_ACTIVE_FALSE)};
    esock_inet_t s;
    if ((rc = esock_inet_connect(&s, &n.addr, o, 3, ESOCK_INET_NO_OWNER, 10000)) != 0)
        return cli_fail("cat", "connect", rc);
    bool lines = cli_header_size(n.packet) > 0;
    struct reader r = {s, lines, 0};
    pthread_t t;
    if (pthread_create(&t, NULL, read_replies, &r) != 0) {
        esock_inet_close(s);
        return cli_fail("cat", "thread", -EAGAIN);
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int ret = EXIT_OK;
    while ((len = next_input(lines, &line, &cap)) >= 0)
        if ((rc = esock_inet_send(s, line, (size_t)len)) != 0) {
            ret = cli_fail("cat", "send", rc);
            break;
        }
    free(line);
    if (ret != EXIT_OK)
        esock_inet_shutdown(s, SHUT_RDWR); /* the reader must not wait for a peer that never closes */
    else if ((rc = esock_inet_shutdown(s, SHUT_WR)) != 0)
        ret = cli_fail("cat", "shutdown", rc);
    pthread_join(t, NULL);
    if (r.rc != 0 && ret == EXIT_OK)
        ret = cli_fail("cat", "recv", r.rc);
    esock_inet_close(s);
    return ret;
}
