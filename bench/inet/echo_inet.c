/*
 * echo_inet.c - a {packet,4} echo server on the inet layer, one thread.
 *
 *   esock_echo_inet [HOST:]PORT
 *   env ESOCK_ECHO_SPIN_US: busy-wait before sleeping (esock_mbox_set_spin;
 *   default 0, as the C peers, which do not spin)
 *
 * One mailbox owns the listener and every connection: the thread waits on
 * it, and each message is a framed packet to echo, a connection to accept,
 * or a peer that closed. Messages are taken in batches (esock_mbox_recv_many:
 * one lock per batch), the packets of one socket in a row go back in one
 * esock_inet_send_msgs call (one lock for them), and delay_send lets the
 * replies to one burst of packets leave in one write (docs/inet.md,
 * "Sending"). Packets of 2 KiB and more are echoed without a copy:
 * zerocopy_min delivers them pointing into the read buffer and the send
 * queues them as they are.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <esock/esock.h>

#include "bench/inet/owner_api.h"

static int accept_all(esock_inet_t l)
{
    esock_inet_t c;
    int rc;
    while ((rc = esock_inet_accept(l, &c, ESOCK_INET_NO_OWNER, ESOCK_NOWAIT)) == 0) {
    }
    return rc == ESOCK_SELECT ? 0 : rc;
}

/* Sends a run of packets back to the socket they came from, without a
 * copy and under one lock (esock_inet_send_msgs); those it did not take
 * (the socket is gone) are freed. */
static void echo_run(esock_inet_msg_t **run, size_t *n)
{
    size_t taken = 0;
    if (*n)
        esock_inet_send_msgs(run[0]->sock, run, *n, ESOCK_INFINITY, &taken);
    for (size_t i = taken; i < *n; i++)
        esock_inet_msg_free(run[i]);
    *n = 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s [HOST:]PORT\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    /* SIGTERM / SIGINT keep their default action: the benchmark runner
     * stops the server with SIGTERM. */
    const char *spec = argv[1], *colon = strrchr(spec, ':');
    esock_ip_t ip = {.family = ESOCK_IP4, .u.v4 = {127, 0, 0, 1}};
    if (colon && esock_parse_address(spec, (size_t)(colon - spec), &ip) != 0) {
        fprintf(stderr, "bad address %s\n", spec);
        return 2;
    }
    esock_sockaddr_t addr;
    esock_sockaddr_ip(&addr, &ip, (uint16_t)atoi(colon ? colon + 1 : spec));

    owner_t mb;
    if (owner_open(&mb) != 0)
        return 1;
    /* ESOCK_ECHO_SPIN_US: busy-wait before sleeping (esock_mbox_set_spin) */
    const char *spin = getenv("ESOCK_ECHO_SPIN_US");
    if (spin && esock_mbox_set_spin(owner_id(mb), atoll(spin)) != 0) {
        fprintf(stderr, "bad ESOCK_ECHO_SPIN_US %s\n", spin);
        return 2;
    }
    const esock_inet_opt_t o[] = {
        esock_inet_opt_int(ESOCK_IOPT_PACKET, ESOCK_INET_PACKET_4),
        esock_inet_opt_int(ESOCK_IOPT_MODE, 1),
        esock_inet_opt_int(ESOCK_IOPT_ACTIVE, ESOCK_INET_ACTIVE_TRUE),
        esock_inet_opt_int(ESOCK_IOPT_DELAY_SEND, 1),
        esock_inet_opt_int(ESOCK_IOPT_NODELAY, 1),
        esock_inet_opt_int(ESOCK_IOPT_BUFFER, 262144),
        /* Big packets stay in the read buffer (no copy in, none out). */
        esock_inet_opt_int(ESOCK_IOPT_ZEROCOPY_MIN, 2048),
        /* Coalesce a whole burst of replies (up to one read's worth) before
         * writing: the default watermarks (8 KiB) would write every 8 KiB. */
        esock_inet_opt_int(ESOCK_IOPT_HIGH_MSGQ_WATERMARK, 262144),
        esock_inet_opt_int(ESOCK_IOPT_HIGH_WATERMARK, 524288),
        esock_inet_opt_int(ESOCK_IOPT_LOW_WATERMARK, 262144),
    };
    esock_inet_t l;
    int rc = esock_inet_listen(&l, &addr, 4096, o, sizeof o / sizeof o[0], owner_id(mb));
    if (rc) {
        fprintf(stderr, "listen: %s\n", esock_strerror(rc));
        return 1;
    }
    if (accept_all(l))
        return 1;
    for (;;) {
        esock_msg_t batch[64];
        esock_inet_msg_t *run[64]; /* data messages of one socket, in a row */
        size_t nrun = 0;
        int n = esock_mbox_recv_many(mb, batch, 64, ESOCK_INFINITY);
        for (int i = 0; i < n; i++) {
            esock_inet_msg_t *m = esock_inet_msg(&batch[i]);
            if (m && m->kind == ESOCK_INET_MSG_DATA) {
                if (nrun && run[0]->sock.id != m->sock.id)
                    echo_run(run, &nrun);
                run[nrun++] = m;
                continue;
            }
            echo_run(run, &nrun); /* in order: before a close of that socket */
            if (!m) {
                esock_msg_free(&batch[i]);
                continue;
            }
            if (m->kind == ESOCK_INET_MSG_SELECT)
                accept_all(l);
            else if (m->kind == ESOCK_INET_MSG_CLOSED || m->kind == ESOCK_INET_MSG_ERROR)
                esock_inet_close(m->sock);
            esock_inet_msg_free(m);
        }
        echo_run(run, &nrun);
    }
}
