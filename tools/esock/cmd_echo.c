/*
 * esock echo: an echo server in any packet mode, over TCP, UDP or a local
 * socket. One thread and one mailbox serve the listener and every
 * connection (active modes); each message is a packet to echo, a
 * connection to accept, or a peer that closed. --active false serves each
 * connection from its own thread with passive recv.
 */
#include "cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static atomic_int stopping; /* lock-free: set from the signal handler */

/* Open connections, so that a stop closes them all (a small set of ids;
 * closes are rare next to packets, so removal is a linear search). */
static pthread_mutex_t conns_mu = PTHREAD_MUTEX_INITIALIZER;
static uint32_t *conns;
static size_t nconns, capconns;
static int live_threads; /* passive connection threads still running (conns_mu) */

static void conn_add(esock_inet_t c)
{
    pthread_mutex_lock(&conns_mu);
    if (nconns == capconns) {
        size_t cap = capconns ? capconns * 2 : 64;
        uint32_t *nc = realloc(conns, cap * sizeof *nc);
        if (nc) {
            conns = nc;
            capconns = cap;
        }
    }
    if (nconns < capconns)
        conns[nconns++] = c.id;
    pthread_mutex_unlock(&conns_mu);
}

static void conn_close(esock_inet_t c)
{
    pthread_mutex_lock(&conns_mu);
    for (size_t i = 0; i < nconns; i++)
        if (conns[i] == c.id) {
            conns[i] = conns[--nconns];
            break;
        }
    pthread_mutex_unlock(&conns_mu);
    esock_inet_close(c);
}

/* On stop: close every connection (wakes passive threads with closed) and
 * wait a little for their threads to finish. */
static void conn_close_all(void)
{
    pthread_mutex_lock(&conns_mu);
    for (size_t i = 0; i < nconns; i++)
        esock_inet_close((esock_inet_t){conns[i]});
    nconns = 0;
    pthread_mutex_unlock(&conns_mu);
    for (int i = 0; i < 200; i++) {
        pthread_mutex_lock(&conns_mu);
        int live = live_threads;
        pthread_mutex_unlock(&conns_mu);
        if (live == 0)
            break;
        usleep(5000);
    }
    pthread_mutex_lock(&conns_mu);
    free(conns);
    conns = NULL;
    capconns = 0;
    pthread_mutex_unlock(&conns_mu);
}

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

/* Passive connections: one thread each, recv then send back. */
static void *passive_conn(void *arg)
{
    esock_inet_t s = {(uint32_t)(uintptr_t)arg};
    size_t cap = 1 << 16;
    unsigned char *buf = malloc(cap);
    for (size_t got; buf != NULL;) {
        int rc = esock_inet_recv(s, buf, cap, 0, &got, ESOCK_INFINITY);
        if (rc == -ENOBUFS) { /* a packet larger than buf: grow and retry */
            unsigned char *nb = realloc(buf, cap * 4);
            if (nb == NULL)
                break;
            buf = nb;
            cap *= 4;
            continue;
        }
        if (rc != 0 || esock_inet_send(s, buf, got) != 0)
            break;
    }
    free(buf);
    conn_close(s);
    pthread_mutex_lock(&conns_mu);
    live_threads--;
    pthread_mutex_unlock(&conns_mu);
    return NULL;
}

static int accept_pending(esock_inet_t l, bool passive)
{
    esock_inet_t c;
    int rc;
    while ((rc = esock_inet_accept(l, &c, ESOCK_INET_NO_OWNER, ESOCK_NOWAIT)) == 0) {
        conn_add(c);
        if (!passive)
            continue;
        pthread_t t;
        pthread_mutex_lock(&conns_mu);
        live_threads++;
        pthread_mutex_unlock(&conns_mu);
        if (pthread_create(&t, NULL, passive_conn, (void *)(uintptr_t)c.id) != 0) {
            pthread_mutex_lock(&conns_mu);
            live_threads--;
            pthread_mutex_unlock(&conns_mu);
            conn_close(c);
        } else {
            pthread_detach(t);
        }
    }
    return rc == ESOCK_SELECT ? 0 : rc;
}

static const esock_inet_opt_t *opt_list(const struct cli_net *n, esock_inet_opt_t *o, size_t *cnt)
{
    size_t k = 0;
    o[k++] = esock_inet_opt_int(ESOCK_IOPT_MODE, 1);
    o[k++] = esock_inet_opt_int(ESOCK_IOPT_PACKET, n->udp ? ESOCK_INET_PACKET_RAW : n->packet);
    o[k++] = esock_inet_opt_int(ESOCK_IOPT_ACTIVE, n->active);
    if (!n->udp && n->active != ESOCK_INET_ACTIVE_FALSE)
        /* Replies to one burst of packets leave in one write: the queue is
         * flushed when the thread goes back to its mailbox. */
        o[k++] = esock_inet_opt_int(ESOCK_IOPT_DELAY_SEND, 1);
    if (!n->udp && n->addr.family != ESOCK_FAMILY_LOCAL)
        o[k++] = esock_inet_opt_int(ESOCK_IOPT_NODELAY, 1);
    if (!n->udp && n->packet == ESOCK_INET_PACKET_RAW)
        o[k++] = esock_inet_opt_int(ESOCK_IOPT_BUFFER, 65536);
    o[k++] = esock_inet_opt_int(ESOCK_IOPT_REUSEADDR, 1);
    *cnt = k;
    return o;
}

int cli_echo_serve(struct cli_net *n, atomic_int *stop, FILE *addr_out)
{
    esock_mbox_t mb;
    int rc = esock_mbox_create(&mb);
    if (rc != 0)
        return cli_fail("echo", "mailbox", rc);
    esock_inet_opt_t o[8];
    size_t no;
    opt_list(n, o, &no);
    bool passive = n->active == ESOCK_INET_ACTIVE_FALSE;
    esock_inet_t l;
    struct stat st; /* a stale socket from an earlier run, never another file */
    if (n->local && stat(n->local, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(n->local);
    if (n->udp)
        rc = esock_inet_udp_open(&l, &n->addr, o, no, mb);
    else
        rc = esock_inet_listen(&l, &n->addr, 1024, o, no, mb);
    if (rc != 0) {
        esock_mbox_destroy(mb);
        return cli_fail("echo", n->udp ? "open" : "listen", rc);
    }
    esock_inet_sockname(l, &n->addr);
    if (addr_out)
        cli_print_addr(addr_out, &n->addr);
    if (!n->udp && (rc = accept_pending(l, passive)) != 0)
        cli_fail("echo", "accept", rc);
    unsigned char *ubuf = passive && n->udp ? malloc(65536) : NULL;
    while (!*stop) {
        if (ubuf) { /* passive UDP: one datagram at a time */
            size_t got;
            esock_sockaddr_t from;
            rc = esock_inet_recvfrom(l, ubuf, 65536, &got, &from, NULL, NULL, 200);
            if (rc == 0)
                cli_sendto(l, &from, ubuf, got);
            continue;
        }
        esock_msg_t raw;
        if (esock_mbox_recv(mb, &raw, 200) != 0)
            continue; /* the timeout lets a signal stop us */
        esock_inet_msg_t *m = esock_inet_msg(&raw);
        if (m == NULL) {
            esock_msg_free(&raw);
            continue;
        }
        switch (m->kind) {
        case ESOCK_INET_MSG_DATA:
            if (m->udp)
                cli_sendto(m->sock, &m->from, m->data, m->len);
            else
                esock_inet_send(m->sock, m->data, m->len);
            break;
        case ESOCK_INET_MSG_PASSIVE: { /* {active, N} ran out: top it up */
            esock_inet_opt_t a = esock_inet_opt_int(ESOCK_IOPT_ACTIVE, n->active);
            esock_inet_setopts(m->sock, &a, 1);
            break;
        }
        case ESOCK_INET_MSG_SELECT:
            accept_pending(l, passive);
            break;
        case ESOCK_INET_MSG_CLOSED:
        case ESOCK_INET_MSG_ERROR:
            if (m->sock.id != l.id)
                conn_close(m->sock);
            break;
        default:
            break;
        }
        if (n->active == ESOCK_INET_ACTIVE_ONCE && m->kind == ESOCK_INET_MSG_DATA) {
            esock_inet_opt_t a = esock_inet_opt_int(ESOCK_IOPT_ACTIVE, ESOCK_INET_ACTIVE_ONCE);
            esock_inet_setopts(m->sock, &a, 1);
        }
        esock_inet_msg_free(m);
    }
    free(ubuf);
    esock_inet_close(l);
    conn_close_all();
    esock_mbox_destroy(mb); /* connections left lose their owner */
    if (n->local)
        unlink(n->local);
    return EXIT_OK;
}

int cmd_echo(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, "echo"))
        return EXIT_OK;
    struct cli_net n;
    int rc = cli_net_args(argc, argv, "echo", &n);
    if (rc != 0)
        return rc;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return cli_echo_serve(&n, &stopping, stdout);
}
