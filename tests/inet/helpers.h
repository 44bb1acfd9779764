/* Shared helpers of the inet tests. */
#ifndef INET_TEST_HELPERS_H
#define INET_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>

#include "inetpeer.h" /* inet_listener, inet_peer_pair */
#include "testnet.h" /* lo4, raw peers, wr/rd, msleep */

#include <esock/error.h>
#include <esock/inet.h>

/* Every decode_packet type is tested once the packet module is there;
 * before that inet frames 1/2/4/line/http only (src/inet/pkt.c). */
#if defined(__has_include)
#if __has_include(<esock/packet.h>)
#define INET_FULL_PACKET 1
#endif
#endif
#ifndef INET_FULL_PACKET
#define INET_FULL_PACKET 0
#endif

#define OPT(n, val) ((esock_inet_opt_t){.name = ESOCK_IOPT_##n, .v.i = (val)})
#define OPTI(n, val) {.name = ESOCK_IOPT_##n, .v.i = (val)}
#define NOPTS(a) (sizeof(a) / sizeof((a)[0]))

/* A mailbox for the tests (the owner "process"). */
esock_mbox_t tm_new(void);
void tm_free(esock_mbox_t mb);
/* Next inet message within tmo_ms, or NULL (free it with esock_inet_msg_free).
 * Runs the mailbox's readiness loop. */
esock_inet_msg_t *tm_recv(esock_mbox_t mb, int tmo_ms);

/* The same over a unix stream socket (abstract name, unique per call).
 * Unlike loopback TCP, what the kernel holds for a peer that does not read
 * is fixed once a write is refused: no window or ACK dynamics free room
 * later, so "the kernel is full" stays true until the peer reads. */
int local_peer_pair(const esock_inet_opt_t *o, size_t n, esock_mbox_t owner, esock_inet_t *l, esock_inet_t *a);
/* What esock_inet_i(out, proto, cols, ncols, show_ports) prints, as a
 * string the caller frees; its result goes to *rc when @p rc is not NULL. */
char *i_listing(int proto, const esock_inet_icol_t *cols, size_t ncols, bool show_ports, int *rc);
/* Expect a message of kind k on mb (within 2 s); returns it (caller frees). */
esock_inet_msg_t *expect_msg(esock_mbox_t mb, int kind);
/* Expect no message within ms. */
void expect_none(esock_mbox_t mb, int ms);
/* The next message is the DOWN of monitor @p mref with info @p info. */
void expect_down(esock_mbox_t mb, uint64_t mref, int info);
/* Gives @p s to @p owner and makes it {active, once}. */
void activate_once(esock_inet_t s, esock_mbox_t owner);
/* Whether a thread sleeps in a call on h: in a passive recv (@p reader) or
 * in a send the busy state holds (!@p reader). No event says so: tests
 * poll it, up to @p ms milliseconds with inet_wait_sleeper. */
bool inet_sleeper(esock_inet_t h, bool reader);
bool inet_wait_sleeper(esock_inet_t h, bool reader, int ms);

extern const struct CMUnitTest inet_tests_basic[];
extern const size_t inet_ntests_basic;
extern const struct CMUnitTest inet_tests_packet[];
extern const size_t inet_ntests_packet;
extern const struct CMUnitTest inet_tests_active[];
extern const size_t inet_ntests_active;
extern const struct CMUnitTest inet_tests_send[];
extern const size_t inet_ntests_send;
extern const struct CMUnitTest inet_tests_opts[];
extern const size_t inet_ntests_opts;
extern const struct CMUnitTest inet_tests_misc[];
extern const size_t inet_ntests_misc;
extern const struct CMUnitTest inet_tests_frame[];
extern const size_t inet_ntests_frame;
extern const struct CMUnitTest inet_tests_zerocopy[];
extern const size_t inet_ntests_zerocopy;
extern const struct CMUnitTest inet_tests_interop[];
extern const size_t inet_ntests_interop;
extern const struct CMUnitTest inet_tests_udp_more[];
extern const size_t inet_ntests_udp_more;
extern const struct CMUnitTest inet_tests_lifecycle[];
extern const size_t inet_ntests_lifecycle;
extern const struct CMUnitTest inet_tests_portend[];
extern const size_t inet_ntests_portend;
extern const struct CMUnitTest inet_tests_edges[];
extern const size_t inet_ntests_edges;

int inet_teardown(void **state);

/* One integer option of @p s (getopts must give it). */
int64_t get1(esock_inet_t s, esock_inet_optname_t n);

/* inet_peer_pair with a raw peer that does not read, and small kernel
 * buffers on both sides: sends queue up after a few KiB. */
int inet_stalled_pair(const esock_inet_opt_t *o, size_t n, esock_mbox_t mb, esock_inet_t *l,
                      esock_inet_t *a);
/* The same over a unix stream (local_peer_pair): once the kernel refuses a
 * write it stays full until the peer reads, where loopback TCP may free
 * room later on its own. For tests that need "still busy" to hold. */
int inet_stalled_local_pair(const esock_inet_opt_t *o, size_t n, esock_mbox_t mb, esock_inet_t *l,
                            esock_inet_t *a);
/* Nowait sends of 4 KiB until @p a is busy for good (50 refusals in a
 * row: one alone may be an EAGAIN the fault-injected run made up). For a
 * stalled local pair, whose kernel stays full. */
void fill_until_busy(esock_inet_t a);
/* The raw peer of a stalled pair, reading: what it got in all, and the
 * last bytes of it. */
typedef struct {
    int fd;
    uint64_t got;
    uint8_t tail[1024];
} stalled_peer_t;
/* Reads what the peer has, without waiting. */
void peer_read(stalled_peer_t *p);
/* The peer reads until READY comes to @p mb with @p a no longer busy
 * (earlier READYs of a fill are passed over); fails after 5 s. */
void drain_until_ready(stalled_peer_t *p, esock_inet_t a, esock_mbox_t mb);


#endif
