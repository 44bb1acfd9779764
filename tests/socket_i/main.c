/*
 * i/0,1,2 with OTP's table layout (src/socket/itable.c): the cells, the
 * column widths and the state abbreviations that `erl` (OTP 25) prints for
 * the same sockets, the InfoKeys and Filter forms, and bad arguments.
 */
#include <esock/esock.h>

#include <netdb.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "testnet.h"

#define ok(expr) assert_int_equal((expr), 0)

/* The table as one string (caller frees). */
static char *table(const esock_filter_t *f, const int *keys, size_t n, int *rows)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&buf, &len);
    assert_non_null(mf);
    *rows = esock_i_keys(mf, f, keys, n);
    fclose(mf);
    return buf;
}

/* Line i (0 = header) of t, without the newline, into out. */
static void line_of(const char *t, int i, char *out, size_t cap)
{
    for (; i > 0 && t; i--) {
        t = strchr(t, '\n');
        if (t)
            t++;
    }
    assert_non_null(t);
    const char *e = strchr(t, '\n');
    size_t n = e ? (size_t)(e - t) : strlen(t);
    assert_true(n < cap);
    memcpy(out, t, n);
    out[n] = 0;
}

static void keys_by_name(void **state)
{
    (void)state;
    static const char *names[] = {"domain", "type", "protocol", "fd", "owner",
                                  "local_address", "remote_address", "recv", "sent", "state"};
    for (int k = 0; k < ESOCK_I_NKEYS; k++) {
        assert_int_equal(esock_i_key(names[k]), k);
        assert_string_equal(esock_i_key_name(k), names[k]);
    }
    assert_int_equal(esock_i_key("address"), ESOCK_EINVAL_VALUE);
    assert_int_equal(esock_i_key(NULL), ESOCK_EINVAL_VALUE);
    assert_null(esock_i_key_name(ESOCK_I_NKEYS));

    esock_filter_t f;
    ok(esock_i_filter_name("udp", &f));
    assert_int_equal(f.protocol, IPPROTO_UDP);
    assert_int_equal(f.domain, 0);
    ok(esock_i_filter_name("inet6", &f));
    assert_int_equal(f.domain, AF_INET6);
    ok(esock_i_filter_name("seqpacket", &f));
    assert_int_equal(f.type, SOCK_SEQPACKET);
    assert_int_equal(esock_i_filter_name("raw", &f), ESOCK_EINVAL_VALUE);

    int bad = 42, rows;
    char *t = table(NULL, &bad, 1, &rows);
    assert_int_equal(rows, ESOCK_EINVAL_VALUE);
    free(t);
}

/* The same sockets as the erl session of docs/socket-i.md: a listener, a
 * connected pair, an unbound UDP socket, a bound local datagram socket. */
static void table_like_otp(void **state)
{
    (void)state;
    esock_t l, c, a, u, lo;
    esock_sockaddr_t sa = lo4(0);
    ok(esock_open(AF_INET, SOCK_STREAM, IPPROTO_TCP, &l));
    ok(esock_bind(l, &sa));
    ok(esock_listen(l, 5));
    ok(esock_sockname(l, &sa));
    unsigned lport = sa.u.in.port;
    ok(esock_open(AF_INET, SOCK_STREAM, IPPROTO_TCP, &c));
    ok(esock_connect(c, &sa, 5000, NULL));
    ok(esock_accept(l, 5000, &a, NULL));
    size_t sent = 0;
    ok(esock_send(c, "hello", 5, 0, 5000, &sent, NULL));
    char buf[8];
    size_t got = 0;
    ok(esock_recv(a, buf, 5, 5, 0, 5000, &got, NULL));
    ok(esock_open(AF_INET, SOCK_DGRAM, IPPROTO_UDP, &u));
    char path[64];
    snprintf(path, sizeof path, "/tmp/esock-i-%d", (int)getpid());
    unlink(path);
    ok(esock_open(AF_LOCAL, SOCK_DGRAM, 0, &lo));
    esock_sockaddr_t la;
    ok(esock_sockaddr_local(&la, path, strlen(path)));
    ok(esock_bind(lo, &la));

    int rows;
    char *t = table(NULL, NULL, 0, &rows);
    assert_int_equal(rows, 5);
    char ln[512], want[512], cport[16];
    esock_sockaddr_t cs;
    ok(esock_sockname(c, &cs));
    snprintf(cport, sizeof cport, "%u", (unsigned)cs.u.in.port);

    /* Widths: Local Address is as wide as "local:/tmp/esock-i-PID". */
    size_t wl = 6 + strlen(path);
    char lportname[32];
    snprintf(lportname, sizeof lportname, "localhost:%u", lport);
    size_t wr = strlen(lportname) > 14 ? strlen(lportname) : 14;
    int fl = esock_fd(l), fc = esock_fd(c), fa = esock_fd(a), fu = esock_fd(u), flo = esock_fd(lo);
    char fds[5][8];
    snprintf(fds[0], 8, "%d", fl);
    snprintf(fds[1], 8, "%d", fc);
    snprintf(fds[2], 8, "%d", fa);
    snprintf(fds[3], 8, "%d", fu);
    snprintf(fds[4], 8, "%d", flo);
    size_t wfd = 2;
    for (int i = 0; i < 5; i++)
        wfd = strlen(fds[i]) > wfd ? strlen(fds[i]) : wfd;
    char owner[16];
    esock_socket_info_t in;
    ok(esock_info_socket(l, &in));
    snprintf(owner, sizeof owner, "%u", (unsigned)in.owner);
    size_t wo = strlen(owner) > 5 ? strlen(owner) : 5;

    line_of(t, 0, ln, sizeof ln);
    snprintf(want, sizeof want, "Domain Type   Protocol %-*s %-*s %-*s %-*s Recv Sent %-8s ",
             (int)wfd, "Fd", (int)wo, "Owner", (int)wl, "Local Address", (int)wr,
             "Remote Address", "State");
    assert_string_equal(ln, want);

    char cname[32];
    snprintf(cname, sizeof cname, "localhost:%s", cport);
    line_of(t, 1, ln, sizeof ln); /* the listener */
    snprintf(want, sizeof want, "inet   STREAM TCP      %-*s %-*s %-*s %-*s 0    0    %-8s ",
             (int)wfd, fds[0], (int)wo, owner, (int)wl, lportname, (int)wr, " ", "BD:LG, -");
    assert_string_equal(ln, want);
    line_of(t, 2, ln, sizeof ln); /* the connector */
    snprintf(want, sizeof want, "inet   STREAM TCP      %-*s %-*s %-*s %-*s 0    5    %-8s ",
             (int)wfd, fds[1], (int)wo, owner, (int)wl, cname, (int)wr, lportname, " - , CD");
    assert_string_equal(ln, want);
    line_of(t, 3, ln, sizeof ln); /* the accepted socket */
    snprintf(want, sizeof want, "inet   STREAM TCP      %-*s %-*s %-*s %-*s 5    0    %-8s ",
             (int)wfd, fds[2], (int)wo, owner, (int)wl, lportname, (int)wr, cname, " - , CD");
    assert_string_equal(ln, want);
    line_of(t, 4, ln, sizeof ln); /* unbound UDP: "*:0", no state */
    snprintf(want, sizeof want, "inet   DGRAM  UDP      %-*s %-*s %-*s %-*s 0    0    %-8s ",
             (int)wfd, fds[3], (int)wo, owner, (int)wl, "*:0", (int)wr, " ", " ");
    assert_string_equal(ln, want);
    line_of(t, 5, ln, sizeof ln);
    char lname[96];
    snprintf(lname, sizeof lname, "local:%s", path);
    snprintf(want, sizeof want, "local  DGRAM  IP       %-*s %-*s %-*s %-*s 0    0    %-8s ",
             (int)wfd, fds[4], (int)wo, owner, (int)wl, lname, (int)wr, " ", "BD, -");
    assert_string_equal(ln, want);
    free(t);

    /* i(InfoKeys): only those columns, in the order given. */
    int keys[] = {ESOCK_I_FD, ESOCK_I_STATE, ESOCK_I_SENT};
    t = table(NULL, keys, 3, &rows);
    assert_int_equal(rows, 5);
    line_of(t, 0, ln, sizeof ln);
    snprintf(want, sizeof want, "%-*s State    Sent ", (int)wfd, "Fd");
    assert_string_equal(ln, want);
    line_of(t, 2, ln, sizeof ln);
    snprintf(want, sizeof want, "%-*s  - , CD  5    ", (int)wfd, fds[1]);
    assert_string_equal(ln, want);
    free(t);

    /* i(udp) and i(stream, [domain, fd]). */
    esock_filter_t f;
    ok(esock_i_filter_name("udp", &f));
    t = table(&f, NULL, 0, &rows);
    assert_int_equal(rows, 1);
    assert_non_null(strstr(t, "UDP"));
    assert_null(strstr(t, "TCP"));
    free(t);
    ok(esock_i_filter_name("stream", &f));
    int k2[] = {ESOCK_I_DOMAIN, ESOCK_I_FD};
    t = table(&f, k2, 2, &rows);
    assert_int_equal(rows, 3);
    line_of(t, 1, ln, sizeof ln);
    snprintf(want, sizeof want, "inet   %-*s ", (int)wfd, fds[0]);
    assert_string_equal(ln, want);
    free(t);

    ok(esock_close(l));
    ok(esock_close(c));
    ok(esock_close(a));
    ok(esock_close(u));
    ok(esock_close(lo));
    unlink(path);
    t = table(NULL, NULL, 0, &rows);
    assert_int_equal(rows, 0);
    free(t);
}

/* A port with a service name shows as "name (port)"; a nowait reader is "selected". */
static void service_names_and_selected(void **state)
{
    (void)state;
    esock_t u;
    ok(esock_open(AF_INET, SOCK_DGRAM, IPPROTO_UDP, &u));
    esock_sockaddr_t sa = lo4(0);
    ok(esock_bind(u, &sa));
    esock_sockaddr_t peer = lo4(53); /* connect only: nothing is sent */
    ok(esock_connect(u, &peer, 1000, NULL));
    struct servent se, *res = NULL;
    char sbuf[1024], want[64];
    if (getservbyport_r((int)htons(53), "udp", &se, sbuf, sizeof sbuf, &res) == 0 && res)
        snprintf(want, sizeof want, "localhost:%s (53) ", res->s_name);
    else
        snprintf(want, sizeof want, "localhost:53 ");
    int keys[] = {ESOCK_I_REMOTE_ADDRESS, ESOCK_I_STATE};
    int rows;
    char *t = table(NULL, keys, 2, &rows);
    assert_int_equal(rows, 1);
    char ln[256];
    line_of(t, 1, ln, sizeof ln);
    assert_memory_equal(ln, want, strlen(want));
    assert_non_null(strstr(ln, " - , CD"));
    free(t);

    esock_t r;
    ok(esock_open(AF_INET, SOCK_DGRAM, IPPROTO_UDP, &r));
    sa = lo4(0);
    ok(esock_bind(r, &sa));
    esock_select_info_t si = {0}; /* nowait reads its handle: zero = a fresh one */
    char b[4];
    size_t got;
    assert_int_equal(esock_recv(r, b, 0, sizeof b, 0, ESOCK_NOWAIT, &got, &si), ESOCK_SELECT);
    const char *rst[4], *wst[4];
    size_t nr, nw;
    ok(esock_socket_states(r, rst, &nr, wst, &nw));
    assert_int_equal(nr, 2);
    assert_string_equal(rst[0], "bound");
    assert_string_equal(rst[1], "selected");
    assert_int_equal(nw, 0);
    int k1[] = {ESOCK_I_STATE};
    esock_filter_t f = {.pred = NULL};
    ok(esock_i_filter_name("udp", &f));
    t = table(&f, k1, 1, &rows);
    assert_int_equal(rows, 2);
    assert_non_null(strstr(t, "\nBD:SD, - \n"));
    free(t);
    ok(esock_cancel(r, &si));
    ok(esock_close(r));
    ok(esock_close(u));
    assert_int_equal(esock_socket_states(u, rst, &nr, wst, &nw), ESOCK_ECLOSED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_by_name),
        cmocka_unit_test(table_like_otp),
        cmocka_unit_test(service_names_and_selected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
