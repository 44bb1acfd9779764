/*
 * esock/inet.h - gen_tcp / gen_udp style sockets: packet modes, active modes,
 * inet options (getopts/setopts), getstat, watermarks and the i() listing.
 *
 * The C meaning of the Erlang model (full discussion in docs/inet.md):
 *
 *  - A socket is an esock_inet_t handle (a counter value, like esock_t; a
 *    call on a closed handle returns ESOCK_ECLOSED, never touches freed
 *    memory). Every function may be called from any thread.
 *  - The "owner process" is a mailbox (esock_mbox_t). Active-mode data,
 *    closed, error and passive notifications are esock_msg_t records posted
 *    to it (kinds ESOCK_MSG_INET_*). Waiting on the mailbox reads, frames and
 *    delivers on the waiting thread: one thread can serve any number of
 *    sockets by owning them all with one mailbox.
 *  - Passive mode is esock_inet_recv() with a length and a timeout.
 *  - mode (list | binary): C has no lists; data is always a byte array.
 *    ESOCK_INET_MODE_LIST is accepted and reported back by getopts, and the
 *    only observable effect is that `header` is ignored in list mode (as in
 *    OTP, where `header` applies to binaries only).
 *  - deliver (port | term): both deliver the same esock_msg_t; the record's
 *    `deliver_port` flag tells which Erlang shape ({S,{data,D}} vs
 *    {tcp,S,D}) the message would have had.
 *  - header N: the first N bytes of each packet are reported separately in
 *    the message (header_len), as OTP gives [B1..BN | Binary].
 */
#ifndef ESOCK_INET_H
#define ESOCK_INET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include <esock/common.h>
#include <esock/addr.h>
#include <esock/mbox.h>

ESOCK_BEGIN_DECLS

/** An inet socket handle (gen_tcp / gen_udp socket). id 0 is never valid. */
typedef struct esock_inet { uint32_t id; } esock_inet_t;

/** Transport of an inet socket. */
typedef enum esock_inet_proto {
    ESOCK_INET_TCP = 1,  /**< SOCK_STREAM over inet/inet6, or local stream */
    ESOCK_INET_UDP = 2   /**< SOCK_DGRAM */
} esock_inet_proto_t;

/** Packet types of the `packet` option (the same values as esock_packet_type_t of <esock/packet.h>). */
typedef enum esock_inet_packet {
    ESOCK_INET_PACKET_RAW = 0,
    ESOCK_INET_PACKET_1,
    ESOCK_INET_PACKET_2,
    ESOCK_INET_PACKET_4,
    ESOCK_INET_PACKET_LINE,
    ESOCK_INET_PACKET_ASN1,
    ESOCK_INET_PACKET_SUNRM,
    ESOCK_INET_PACKET_CDR,
    ESOCK_INET_PACKET_FCGI,
    ESOCK_INET_PACKET_TPKT,
    ESOCK_INET_PACKET_HTTP,
    ESOCK_INET_PACKET_HTTPH,
    ESOCK_INET_PACKET_HTTP_BIN,
    ESOCK_INET_PACKET_HTTPH_BIN
} esock_inet_packet_t;

/**
 * Values of the `active` option: false, true, once, or (setopts) a count
 * -32768..32767 that is added to the current count ({active, N}); getopts
 * reports FALSE, TRUE, ONCE or the remaining count 1..32767. The three
 * atoms lie outside the count range so that {active, 0} and {active, false}
 * stay distinct (the first posts a passive message, the second does not).
 */
#define ESOCK_INET_ACTIVE_FALSE (-0x10000)
#define ESOCK_INET_ACTIVE_TRUE (-0x10001)
#define ESOCK_INET_ACTIVE_ONCE (-0x10002)

/** Option names. The string names (esock_inet_optname()) are the Erlang atoms.
 * The values each takes: docs/inet.md, "Option values". */
typedef enum esock_inet_optname {
    ESOCK_IOPT_ACTIVE = 1,      /**< i: FALSE/TRUE/ONCE, or with setopts a count -32768..32767 (added) */
    ESOCK_IOPT_MODE,            /**< i: 0 = list, 1 = binary */
    ESOCK_IOPT_DELIVER,         /**< i: 0 = term, 1 = port */
    ESOCK_IOPT_PACKET,          /**< i: esock_inet_packet_t */
    ESOCK_IOPT_PACKET_SIZE,     /**< i: 0..2^32-1, 0 = unlimited */
    ESOCK_IOPT_LINE_DELIMITER,  /**< i: 0..255 */
    ESOCK_IOPT_HEADER,          /**< i: 0..2^31-1 */
    ESOCK_IOPT_EXIT_ON_CLOSE,   /**< b */
    ESOCK_IOPT_SHOW_ECONNRESET, /**< b */
    ESOCK_IOPT_BUFFER,          /**< i: 1..2^31-1 */
    ESOCK_IOPT_DELAY_SEND,      /**< b */
    ESOCK_IOPT_HIGH_WATERMARK,  /**< i: 0..2^31-1 (lowers low_watermark to it) */
    ESOCK_IOPT_LOW_WATERMARK,   /**< i: 0..2^31-1 (raises high_watermark to it) */
    ESOCK_IOPT_HIGH_MSGQ_WATERMARK, /**< i: 1..2^31-1 (lowers the low one to it) */
    ESOCK_IOPT_LOW_MSGQ_WATERMARK,  /**< i: 1..2^31-1 (raises the high one to it) */
    ESOCK_IOPT_SEND_TIMEOUT,    /**< i: ms >= 0, or ESOCK_INFINITY */
    ESOCK_IOPT_SEND_TIMEOUT_CLOSE, /**< b */
    ESOCK_IOPT_READ_AHEAD,      /**< b */
    ESOCK_IOPT_READ_PACKETS,    /**< i: 1..2^31-1 (UDP) */
    ESOCK_IOPT_ZEROCOPY_MIN,    /**< i: esock's own: active TCP packets of at least this many bytes are delivered without a copy (0 = never, the default; see esock_inet_msg_t) */
    /* Kernel options. */
    ESOCK_IOPT_LINGER,          /**< linger: secs >= 0 */
    ESOCK_IOPT_NODELAY,         /**< b */
    ESOCK_IOPT_NOPUSH,          /**< b (TCP_CORK) */
    ESOCK_IOPT_KEEPALIVE,       /**< b */
    ESOCK_IOPT_PRIORITY,        /**< i */
    ESOCK_IOPT_TOS,             /**< i (inet and inet6; tclass is inet6's own) */
    ESOCK_IOPT_TCLASS,          /**< i */
    ESOCK_IOPT_RECVTOS,         /**< b (inet and inet6: IPv4 datagrams) */
    ESOCK_IOPT_RECVTTL,         /**< b (inet and inet6: IPv4 datagrams) */
    ESOCK_IOPT_RECVTCLASS,      /**< b */
    ESOCK_IOPT_BROADCAST,       /**< b */
    ESOCK_IOPT_DONTROUTE,       /**< b */
    ESOCK_IOPT_REUSEADDR,       /**< b */
    ESOCK_IOPT_REUSEPORT,       /**< b */
    ESOCK_IOPT_REUSEPORT_LB,    /**< b */
    ESOCK_IOPT_RECBUF,          /**< i (also raises buffer, as OTP) */
    ESOCK_IOPT_SNDBUF,          /**< i */
    ESOCK_IOPT_IPV6_V6ONLY,     /**< b: creation only */
    ESOCK_IOPT_BIND_TO_DEVICE,  /**< str: creation (and set); shorter than IFNAMSIZ */
    ESOCK_IOPT_NETNS,           /**< str: creation only */
    ESOCK_IOPT_RAW,             /**< raw */
    ESOCK_IOPT_EXCLUSIVEADDRUSE, /**< b: Windows only; taken and ignored here, left out of getopts (the page: silently ignored on other systems) */
    ESOCK_IOPT_COUNT_
} esock_inet_optname_t;

/**
 * One option with its value. Which member is used is given per name above
 * (i = v.i, b = v.i as 0/1, linger = v.linger, str = v.str, raw = v.raw).
 * For getopts the caller sets name (and for raw: level, optname, buf, len =
 * capacity) and the library fills the value; for str the library points
 * v.str.ptr at storage owned by the option array element (v.str.buf).
 */
typedef struct esock_inet_opt {
    esock_inet_optname_t name;
    union {
        int64_t i;
        struct { bool on; int secs; } linger;
        struct { const char *ptr; size_t len; char buf[64]; } str;
        struct { int level; int optname; void *buf; size_t len; } raw;
    } v;
} esock_inet_opt_t;

/**
 * The Erlang atom of an option ("active", "packet_size", ...), or NULL for
 * a value that names no option. The string is static (never free it).
 * Thread-safe.
 */
ESOCK_API const char *esock_inet_optname(esock_inet_optname_t name);
/**
 * The option an atom names (@p atom: a NUL-terminated string, only read),
 * or 0 if it names none or is NULL. Thread-safe.
 */
ESOCK_API esock_inet_optname_t esock_inet_optcode(const char *atom);

/** Convenience initialisers. */
static inline esock_inet_opt_t esock_inet_opt_int(esock_inet_optname_t n, int64_t v)
{
    esock_inet_opt_t o;
    o.name = n;
    o.v.i = v;
    return o;
}

/* ---- Messages to the owner mailbox -------------------------------------- */

/** One ancillary value of a UDP datagram (recvtos / recvttl / recvtclass). */
typedef struct esock_inet_anc { int kind; int value; } esock_inet_anc_t;
#define ESOCK_INET_ANC_TOS 1
#define ESOCK_INET_ANC_TTL 2
#define ESOCK_INET_ANC_TCLASS 3


/**
 * What an inet message reports (the Erlang message it stands for). The
 * values are esock_msg_t kinds (the inet range of <esock/mbox.h>, and
 * ESOCK_MSG_DOWN for monitors), so msg.kind of the received esock_msg_t
 * can be switched on directly.
 */
typedef enum esock_inet_msgkind {
    ESOCK_INET_MSG_DATA = ESOCK_MSG_INET_FIRST, /**< {tcp, S, Data} / {S, {data, Data}} / {http, S, P} / {udp, S, IP, Port[, Anc], Data} */
    ESOCK_INET_MSG_CLOSED,   /**< {tcp_closed, S}: sent once */
    ESOCK_INET_MSG_PASSIVE,  /**< {tcp_passive, S} / {udp_passive, S} */
    ESOCK_INET_MSG_ERROR,    /**< {tcp_error, S, Reason}: error = the code */
    ESOCK_INET_MSG_READY,    /**< not busy any more after a nowait send returned ESOCK_SELECT */
    ESOCK_INET_MSG_SELECT,   /**< a nowait accept can be retried: a connection is pending on the listener */
    ESOCK_INET_MSG_DOWN = ESOCK_MSG_DOWN /**< {'DOWN', MRef, port, S, Info}: mref; error 0 (normal), the error, or -ENOENT (nosock) */
} esock_inet_msgkind_t;

/**
 * One inet message, allocated by the library in one block (data inline,
 * or with the zerocopy_min option pointing into the read buffer).
 * It arrives as the payload of an esock_msg_t from esock_mbox_recv():
 * msg.kind is the esock_inet_msgkind_t, msg.socket the inet handle id,
 * msg.ref the monitor ref (DOWN), msg.reason the error, and msg.data points
 * to this record (esock_inet_msg() returns it). esock_msg_free(&msg) frees
 * it; @c data stays valid until then. For http packet modes @c data is the packet's bytes and @c ptype
 * the decoder that framed it (http, httph, ...), so esock_decode_packet()
 * on (ptype, data) gives the decoded record.
 */
typedef struct esock_inet_msg {
    esock_inet_msgkind_t kind;
    esock_inet_t sock;
    int error;            /**< ERROR: the reason; DOWN: the info */
    uint64_t mref;        /**< DOWN: the monitor */
    bool udp;             /**< a gen_udp message ({udp, ...}, {udp_passive, S}) */
    bool deliver_port;    /**< the socket had {deliver, port} */
    uint8_t blk_;         /**< internal: the size class of the record's block */
    int ptype;            /**< DATA: esock_inet_packet_t that framed it */
    size_t header_len;    /**< DATA: `header` bytes at the front (binary mode) */
    size_t len;           /**< DATA: payload length */
    const uint8_t *data;  /**< DATA: payload */
    esock_sockaddr_t from; /**< UDP DATA: source */
    size_t nanc;          /**< UDP DATA with recvtos/recvttl/recvtclass */
    esock_inet_anc_t anc[3];
    struct esock_inet_msg *link_; /**< internal: queue link while in a mailbox */
    void *ref_;           /**< internal: the read buffer @c data points into (zerocopy_min), or NULL */
} esock_inet_msg_t;

/**
 * The inet record of a received message (an ESOCK_MSG_INET_* kind, or the
 * DOWN of an inet monitor), or NULL if @p msg is NULL or not an inet
 * message. The record belongs to @p msg: free one or the other
 * (esock_msg_free() or esock_inet_msg_free()), once. Thread-safe.
 */
ESOCK_API esock_inet_msg_t *esock_inet_msg(const esock_msg_t *msg);

/**
 * Free an inet record taken out of its esock_msg_t (NULL is ignored). A
 * record whose payload is inline is a plain malloc block (free() releases
 * it too); one delivered by a zerocopy_min socket points into a shared
 * read buffer (ref_ set) and must be freed here or with esock_msg_free(),
 * which drop that reference. Freed here, a small block is kept for reuse
 * by the calling thread's next packets (at most 256 per thread, released
 * when the thread exits). Thread-safe: any thread may free any record.
 */
ESOCK_API void esock_inet_msg_free(esock_inet_msg_t *m);

/** "No owner" for the creating calls: the socket starts passive. */
static const esock_mbox_t ESOCK_INET_NO_OWNER = {0};

/* ---- Creation ------------------------------------------------------------ */

/*
 * Owners. Every creating call takes the owner mailbox (ESOCK_INET_NO_OWNER
 * = none). A socket with no owner is created passive (active defaults to
 * true as in OTP only when it has an owner). When the owner mailbox is
 * destroyed, its sockets lose their owner (and stop reading). Every call
 * that takes a mailbox (the creating calls, accept, controlling_process,
 * monitor) refuses one that does not exist, never created or already
 * destroyed, with ESOCK_EINVAL_HANDLE, as esock_set_owner() does.
 */

/**
 * gen_tcp:connect/4. Connects to @p addr (inet, inet6 or local) applying the
 * process-wide default connect options, then @p opts (n of them). Creation
 * options (ipv6_v6only, bind_to_device, netns, reuse*) are applied before
 * bind/connect. Returns 0 and *out, ESOCK_ETIMEOUT after @p timeout_ms, or
 * -errno (-ECONNREFUSED...), ESOCK_EINVAL_OPTION/VALUE for a bad option.
 */
ESOCK_API int esock_inet_connect(esock_inet_t *out, const esock_sockaddr_t *addr,
                                 const esock_inet_opt_t *opts, size_t n,
                                 esock_mbox_t owner, int64_t timeout_ms);

/**
 * gen_tcp:listen/2 on @p addr (port 0 = any; local address for a unix
 * listener). Applies the default listen options, then @p opts. backlog is 5
 * unless @p backlog > 0. Returns 0 and *out, or an error.
 */
ESOCK_API int esock_inet_listen(esock_inet_t *out, const esock_sockaddr_t *addr, int backlog,
                                const esock_inet_opt_t *opts, size_t n, esock_mbox_t owner);

/**
 * gen_tcp:accept/2. The new socket inherits the listener's inet options
 * (OTP rule) and is owned by @p owner (ESOCK_INET_NO_OWNER = the listener's owner). Returns 0,
 * ESOCK_ETIMEOUT, ESOCK_ECLOSED (listener closed meanwhile) or -errno.
 * Concurrent acceptors are served in arrival order.
 * With @p timeout_ms == ESOCK_NOWAIT and no pending connection it returns
 * ESOCK_SELECT and posts one ESOCK_INET_MSG_SELECT to the listener's owner
 * mailbox when a connection arrives (the listener needs an owner; -EINVAL
 * otherwise): how one thread serves a listener and its connections.
 */
ESOCK_API int esock_inet_accept(esock_inet_t lsock, esock_inet_t *out, esock_mbox_t owner,
                                int64_t timeout_ms);

/**
 * gen_udp:open/2: a UDP socket (or a local datagram socket, for a
 * ESOCK_FAMILY_LOCAL @p addr) bound to @p addr (NULL = IPv4 any, port 0),
 * with @p n options from @p opts (NULL when @p n is 0), owned by @p owner
 * (ESOCK_INET_NO_OWNER: passive, no messages). The handle goes to *out.
 * Returns 0, -EINVAL (NULL @p out, NULL @p opts with @p n > 0),
 * ESOCK_EINVAL_OPTION / ESOCK_EINVAL_VALUE (an option, as
 * esock_inet_setopts() reports it), ESOCK_EINVAL_ADDRESS (a family other
 * than inet, inet6 or local), ESOCK_EINVAL_HANDLE (@p owner is not a live
 * mailbox), or the system's error as -errno (-EADDRINUSE from bind,
 * -EMFILE). @p addr and
 * @p opts are only read during the call. Thread-safe.
 */
ESOCK_API int esock_inet_udp_open(esock_inet_t *out, const esock_sockaddr_t *addr,
                                  const esock_inet_opt_t *opts, size_t n, esock_mbox_t owner);

/**
 * gen_udp:connect/2,3: associates the UDP socket @p s with @p peer.
 * While connected, the kernel delivers only @p peer's
 * datagrams (passive and active alike), esock_inet_send() and the other
 * send calls send to @p peer (esock_inet_sendto() with NULL), peername
 * and i() show the peer, and an ICMP port unreachable from it is reported:
 * the next recv gives -ECONNREFUSED, or the owner of an active socket
 * gets an ESOCK_INET_MSG_ERROR with it and the socket stays active (OTP's
 * udp_error). Connecting again replaces the peer; there is no way back to
 * unconnected, as in OTP (Linux's AF_UNSPEC connect would also give up a
 * port the kernel chose: close and open again instead).
 * Returns 0, ESOCK_ECLOSED (closed or stale handle), -EINVAL (NULL
 * @p peer or an unspec one, which would disconnect, or not a UDP
 * socket), ESOCK_EINVAL_ADDRESS (@p peer cannot be put in the OS form),
 * or the system's error as -errno (-EAFNOSUPPORT for a peer of another
 * family, -ENETUNREACH...). @p peer is only read during the call.
 * Thread-safe.
 */
ESOCK_API int esock_inet_udp_connect(esock_inet_t s, const esock_sockaddr_t *peer);

/**
 * Process-wide default options for connect / listen (kernel's
 * inet_default_connect_options / inet_default_listen_options). The list is
 * copied (raw option buffers and strings included). `active` in it is
 * ignored, as OTP does. n = 0 clears. The list is checked as setopts checks
 * one, now rather than at every connect / listen. Returns 0,
 * ESOCK_EINVAL_OPTION, ESOCK_EINVAL_VALUE, -EINVAL (NULL @p opts with
 * n > 0), -ENAMETOOLONG (a netns path over 63 bytes) or -ENOMEM; on an
 * error the previous defaults stay. @p opts is only read during the call.
 * Thread-safe.
 */
ESOCK_API int esock_inet_set_default_connect_options(const esock_inet_opt_t *opts, size_t n);
ESOCK_API int esock_inet_set_default_listen_options(const esock_inet_opt_t *opts, size_t n);

/* ---- Data ---------------------------------------------------------------- */

/**
 * gen_tcp:recv/3 (passive sockets only). On a UDP socket it reads one
 * datagram, as gen_tcp:recv does there: @p len is ignored and the call is
 * esock_inet_recvfrom without the sender. @p len 0 = one packet (raw: what
 * one read gives, at most the `buffer` size; line: a line longer than
 * `buffer` comes in pieces of `buffer` bytes, as inet); len > 0 only in raw
 * mode (-EINVAL otherwise, as inet) and then exactly len bytes.
 * The packet is written to @p buf (cap bytes); *got receives its length.
 * For http packet modes the decoded text is the raw line (see docs).
 * While it waits, the call also writes the socket's queued output as the
 * kernel takes it (so a request queued by send is sent while the caller
 * waits for the answer; a send from another thread wakes it to do so).
 * Returns 0, ESOCK_ETIMEOUT (buffered bytes stay buffered), ESOCK_ECLOSED
 * (peer closed; in raw mode the bytes that came before the end and did not
 * make up @p len are in @p buf, *got of them, at most @p cap: OTP drops
 * them, erlang/otp#8716; a framed packet cut short is dropped), -EMSGSIZE
 * (packet_size exceeded, an http line longer than `buffer` with packet_size
 * 0, or any other framing error: a 4-byte length past 2 GiB, a malformed
 * header; as gen_tcp), -EINVAL (active socket or len
 * in packet mode), -ENOBUFS if @p cap is too small for the packet (it
 * stays buffered), -ENOTCONN on a listener, or once a recv returned the
 * end or an error (with exit_on_close the fd is closed then, but the port
 * lives: docs/inet.md, "End of a port"), ESOCK_ECLOSED once the port is
 * gone (the end was reported as an active message), -EALREADY if another
 * thread is in recv, -ENOMEM at once for @p len above 64 MiB (as the inet
 * driver: enomem).
 */
ESOCK_API int esock_inet_recv(esock_inet_t s, void *buf, size_t cap, size_t len, size_t *got,
                              int64_t timeout_ms);

/**
 * gen_tcp:send/2: adds the 1/2/4 length header in those packet modes, writes
 * at once when nothing is queued (and delay_send is off), queues the rest.
 * While the queue is at or above high_watermark the socket is busy: the call
 * waits until it drops below low_watermark (up to send_timeout: then
 * ESOCK_ETIMEOUT, and with send_timeout_close the fd is closed: later
 * sends get -ENOTCONN, an active owner gets CLOSED; docs/inet.md, "End of
 * a port"), or with
 * @p timeout_ms == ESOCK_NOWAIT returns ESOCK_SELECT without queuing (an
 * ESOCK_INET_MSG_READY message is posted to the owner when not busy; each
 * nowait call first writes what the kernel takes, so a socket with no
 * owner, which gets no message, moves on by retrying). The call's own
 * @p timeout_ms running out before send_timeout gives ESOCK_ETIMEOUT and
 * leaves the socket as it is: send_timeout_close acts on send_timeout only.
 * Returns 0, ESOCK_ECLOSED, -EPIPE/-ECONNRESET..., ESOCK_ETIMEOUT,
 * ESOCK_SELECT, -EMSGSIZE (length does not fit the header), -ENOTCONN
 * after a recv returned econnreset or a framing error (as inet).
 * On a UDP socket this call, esock_inet_send(), esock_inet_send_msg() and
 * esock_inet_send_msgs() send each payload as one datagram to the
 * connected peer (esock_inet_udp_connect), as gen_tcp:send does there:
 * esock_inet_sendto() with NULL, its return codes (-EDESTADDRREQ when not
 * connected), @p timeout_ms unused.
 * The caller keeps ownership of @p data.
 */
ESOCK_API int esock_inet_send_ex(esock_inet_t s, const void *data, size_t len, int64_t timeout_ms);
/**
 * Sends the payload of a received data message (@p m, from
 * esock_inet_msg()) as esock_inet_send_ex() sends bytes, and takes the
 * message over: an echo or a proxy forwards packets without copying them.
 * A payload of 2 KiB or more that cannot be written at once (or that
 * delay_send holds back) is queued by reference, and the message is freed
 * once it is written (or when the socket closes); a smaller one is copied
 * as by esock_inet_send_ex. @p m may come from any inet socket (its packet
 * header is not sent: @p s adds its own). Returns what esock_inet_send_ex
 * returns, or -EINVAL if @p m is NULL or not an ESOCK_INET_MSG_DATA record.
 * Ownership: on 0 the message is the library's (do not touch or free it);
 * on any error it is still the caller's (free it, or try again after
 * ESOCK_SELECT). Thread-safe.
 */
ESOCK_API int esock_inet_send_msg(esock_inet_t s, esock_inet_msg_t *m, int64_t timeout_ms);
/**
 * Sends the payloads of @p n received data messages on @p s, in order, each
 * as its own packet: what @p n calls of esock_inet_send_msg() do, with one
 * handle lookup and one lock for all of them (an echo or a proxy passes on
 * a whole batch from esock_mbox_recv_many at that cost). Stops at the first
 * message that is not sent. While the socket is busy it waits as
 * esock_inet_send_msg() does, but @p timeout_ms bounds the whole call, not
 * each packet.
 * Returns 0 when all were sent, else what stopped it: the codes of
 * esock_inet_send_msg() (ESOCK_SELECT with ESOCK_NOWAIT while busy,
 * ESOCK_ECLOSED, ESOCK_ETIMEOUT, -EMSGSIZE...), or -EINVAL for a NULL
 * @p taken, a NULL @p msgs with @p n > 0, or an entry that is not an
 * ESOCK_INET_MSG_DATA record.
 * Ownership: *taken (always set) is how many messages, from the front,
 * are now the library's; the rest are still the caller's (free them or
 * send them again). @p msgs itself is only read. Thread-safe.
 */
ESOCK_API int esock_inet_send_msgs(esock_inet_t s, esock_inet_msg_t *const *msgs, size_t n,
                                   int64_t timeout_ms, size_t *taken);
/**
 * esock_inet_send_ex(s, data, len, ESOCK_INFINITY): blocks while the
 * socket is busy (bounded by send_timeout if set); same return codes and
 * ownership (@p data stays the caller's). Thread-safe.
 */
ESOCK_API int esock_inet_send(esock_inet_t s, const void *data, size_t len);

/**
 * gen_udp:send/4: one datagram of @p len bytes to @p to (NULL: to the
 * connected peer). Blocks only while the kernel's send buffer is full;
 * a local (unix) datagram socket never blocks: a receiver whose queue is
 * full gives -EAGAIN, as gen_udp's eagain (nothing is sent).
 * Counted in getstat (send_cnt, send_oct) when sent.
 * Returns 0, ESOCK_ECLOSED (closed or stale handle), ESOCK_EINVAL_ADDRESS
 * (@p to not a valid address), -EINVAL (not a UDP socket), or the
 * system's error as -errno
 * (-EMSGSIZE for a datagram too big, -EDESTADDRREQ without @p to on an
 * unconnected socket, -ECONNREFUSED after an ICMP port unreachable,
 * -EAGAIN as above...).
 * @p to and @p data are only read during the call. Thread-safe.
 */
ESOCK_API int esock_inet_sendto(esock_inet_t s, const esock_sockaddr_t *to, const void *data,
                                size_t len);

/**
 * gen_udp:recv/3 on a passive UDP socket: waits up to @p timeout_ms
 * (ESOCK_INFINITY, or ESOCK_NOWAIT) for one datagram and copies it to
 * @p buf. A datagram longer than @p cap or than the socket's `buffer`
 * option is cut to the smaller of the two and the rest is discarded, as
 * recvfrom(2) and gen_udp do: size both for the largest datagram expected.
 * *got (may be NULL) is the number of bytes copied; @p from (may be NULL)
 * gets the sender. @p anc (may be NULL) receives the recvtos / recvttl /
 * recvtclass values that are on, as (ESOCK_INET_ANC_*, value) pairs:
 * *nanc is the room in @p anc on entry (3 suffices) and how many were
 * filled on return.
 * Returns 0, ESOCK_ETIMEOUT (nothing came; a later datagram is not
 * affected), ESOCK_ECLOSED (closed or stale handle, also when closed by
 * another thread during the wait), -EINVAL (not UDP, or the socket is
 * active: its datagrams go to the owner), or the system's error as -errno
 * (-ECONNREFUSED after an ICMP port unreachable on a connected socket).
 * All pointers are the caller's, written only during the call.
 * Thread-safe.
 */
ESOCK_API int esock_inet_recvfrom(esock_inet_t s, void *buf, size_t cap, size_t *got,
                                  esock_sockaddr_t *from, esock_inet_anc_t *anc, size_t *nanc,
                                  int64_t timeout_ms);

/**
 * gen_tcp:shutdown/2: how = SHUT_RD / SHUT_WR / SHUT_RDWR. Unless SHUT_RD,
 * output queued by delay_send or the busy state is written first, as by
 * esock_inet_close(): up to linger seconds if set, else for as long as
 * the peer keeps taking bytes, until send_timeout (if set, else 5 s)
 * passes without progress. The wait does not hold the socket: other
 * threads' calls on it go on, and a send made during the wait is written
 * before the shutdown.
 * Returns 0, ESOCK_ETIMEOUT (output still queued at the end of the wait:
 * nothing was shut down and the queue is kept, so the call may be
 * repeated, or the socket closed), ESOCK_ECLOSED (stale handle, closed
 * by another thread during the wait, or the port is gone), -ENOTCONN (not
 * connected: a listener too, which keeps listening; or the fd was released
 * after a recv returned the end),
 * -EINVAL (bad @p how), or shutdown(2)'s error as -errno.
 * Thread-safe.
 */
ESOCK_API int esock_inet_shutdown(esock_inet_t s, int how);

/**
 * inet:close/1. Pending output is written first: with linger {true, T}
 * for at most T seconds ({true, 0} aborts with RST), otherwise for as long
 * as the peer keeps taking bytes, until send_timeout (if set, else 5 s)
 * passes without progress (OTP's prim_inet rule); what is left then is
 * dropped. Threads blocked in this socket's calls get ESOCK_ECLOSED at
 * once, not when that wait ends; monitors get ESOCK_MSG_INET_DOWN. The
 * handle is stale as soon as the call starts.
 * Returns 0 or ESOCK_ECLOSED for a stale handle. Thread-safe.
 */
ESOCK_API int esock_inet_close(esock_inet_t s);

/**
 * Writes what delay_send (or the busy state) queued, as far as the kernel
 * takes it now, without waiting; the rest stays queued. Returns 0,
 * ESOCK_ECLOSED (closed or stale handle, a port whose fd is gone, or a
 * write error that inet reports as closed: EPIPE, ENOTCONN, ECONNRESET
 * without show_econnreset), or another write error as -errno.
 * Thread-safe.
 */
ESOCK_API int esock_inet_flush(esock_inet_t s);

/**
 * gen_tcp:controlling_process/2: new owner mailbox (ESOCK_INET_NO_OWNER:
 * none; an active socket then delivers nothing until it has one again).
 * The socket's messages still queued in the old owner's mailbox move to
 * the new owner's, in order and before any new one, as OTP moves them
 * (not when the new owner is none: they stay). Messages the old owner
 * has already received are its own.
 * Returns 0, ESOCK_ECLOSED (closed or stale handle), ESOCK_EINVAL_HANDLE
 * (@p owner is not a live mailbox, also one destroyed during the call).
 * OTP's "not owner" check has no C meaning: any thread may call.
 * Thread-safe.
 */
ESOCK_API int esock_inet_controlling_process(esock_inet_t s, esock_mbox_t owner);

/* ---- Options and information -------------------------------------------- */

/**
 * inet:setopts/2: checks every option first, so that a bad one leaves the
 * socket as it was, then applies them in order (a later entry wins). Returns
 * 0, ESOCK_EINVAL_OPTION (unknown name), ESOCK_EINVAL_VALUE (a value out of
 * the option's range, docs/inet.md "Option values"; a NULL string or raw
 * buffer with a length), -EINVAL (active count out of range, a
 * creation-only option, a gone port even with no options), ESOCK_ECLOSED
 * (closed or stale handle), or the kernel's -errno for a kernel option (the
 * entries before it stay applied). Kernel options
 * given after a recv returned the end (fd released) are taken and ignored,
 * as inet does. @p opts stays the caller's. Thread-safe.
 */
ESOCK_API int esock_inet_setopts(esock_inet_t s, const esock_inet_opt_t *opts, size_t n);

/**
 * inet:getopts/2: fills the values of @p opts in place; options the OS does
 * not support on this socket are left out (the array is compacted) and
 * *nout is the number returned; so are kernel options once the fd was
 * released after a recv returned the end. Returns 0, ESOCK_EINVAL_OPTION
 * (an unknown name; every name is checked before any value is read, so
 * the array is left as given), -EINVAL (a gone port, or NULL @p opts with
 * n > 0), ESOCK_ECLOSED (closed or stale handle), or the kernel's -errno
 * for an option the kernel refuses (the entries before it are already
 * filled; *nout is 0). @p opts stays the caller's. Thread-safe.
 */
ESOCK_API int esock_inet_getopts(esock_inet_t s, esock_inet_opt_t *opts, size_t n, size_t *nout);

/** getstat keys, in the order getstat/1 returns them. */
typedef enum esock_inet_stat {
    ESOCK_STAT_RECV_OCT, ESOCK_STAT_RECV_CNT, ESOCK_STAT_RECV_MAX, ESOCK_STAT_RECV_AVG,
    ESOCK_STAT_RECV_DVI, ESOCK_STAT_SEND_OCT, ESOCK_STAT_SEND_CNT, ESOCK_STAT_SEND_MAX,
    ESOCK_STAT_SEND_AVG, ESOCK_STAT_SEND_PEND, ESOCK_STAT_COUNT_
} esock_inet_stat_t;

/** The Erlang atom of a stat key ("recv_oct"), or NULL for a value that names none. Static string. Thread-safe. */
ESOCK_API const char *esock_inet_statname(esock_inet_stat_t k);

/**
 * inet:getstat/2: values[i] for keys[i] (n of them). keys == NULL = all ten
 * in getstat/1 order. Values as the inet driver computes them (docs/inet.md).
 * Returns 0, -EINVAL (bad key, NULL @p values, or a gone port),
 * ESOCK_ECLOSED (closed or stale handle). Thread-safe.
 */
ESOCK_API int esock_inet_getstat(esock_inet_t s, const esock_inet_stat_t *keys, size_t n,
                                 uint64_t *values);

/**
 * inet:port/1: the socket's local port, in *port. Returns 0, ESOCK_ECLOSED
 * (closed or stale handle), -EINVAL for a NULL @p port, a gone port or a
 * local (unix) socket, which has no port (OTP returns its path there;
 * esock_inet_sockname gives it), -EBADF once the fd was released after a
 * recv returned the end, or the system's error as -errno. Thread-safe.
 */
ESOCK_API int esock_inet_port(esock_inet_t s, uint16_t *port);
/**
 * inet:sockname/1 and inet:peername/1: the local / connected peer's
 * address in *sa (caller's storage). Returns 0, ESOCK_ECLOSED (stale
 * handle), -EINVAL (NULL @p sa, or a socket closed or gone away while
 * still referenced), -ENOTCONN (peername of an unconnected socket), once
 * the fd was released after a recv returned the end -EBADF (sockname) /
 * -ENOTCONN (peername), as inet, or the system's error as -errno.
 * Thread-safe.
 */
ESOCK_API int esock_inet_sockname(esock_inet_t s, esock_sockaddr_t *sa);
ESOCK_API int esock_inet_peername(esock_inet_t s, esock_sockaddr_t *sa);
/**
 * inet:socknames/1 and peernames/1: for TCP and UDP a one-element list.
 * *n is the room in @p sa on entry (at least 1) and the count on return
 * (1, or 0 on error). Returns what sockname / peername return, or -EINVAL
 * for a NULL @p n or *n of 0. Thread-safe.
 */
ESOCK_API int esock_inet_socknames(esock_inet_t s, esock_sockaddr_t *sa, size_t *n);
ESOCK_API int esock_inet_peernames(esock_inet_t s, esock_sockaddr_t *sa, size_t *n);

/**
 * The underlying descriptor (for poll integration and tests): >= 0, or
 * ESOCK_ECLOSED (stale handle), -EINVAL (closed or gone away). The
 * descriptor stays the library's: do not close it or change its flags,
 * and do not read from it while the socket is active. Thread-safe.
 */
ESOCK_API int esock_inet_fd(esock_inet_t s);

/**
 * inet:monitor/1: a DOWN message (ESOCK_MSG_INET_DOWN, with the monitor id
 * in the message) is posted to @p mbox when the socket closes. *mref > 0.
 * On a socket that is already closed (or a stale handle): the DOWN is
 * posted at once (info -ENOENT, "nosock"), naming @p s. Returns 0,
 * -EINVAL (NULL @p mref), ESOCK_EINVAL_HANDLE (@p mbox is
 * ESOCK_INET_NO_OWNER or not a live mailbox). Thread-safe.
 */
ESOCK_API int esock_inet_monitor(esock_inet_t s, esock_mbox_t mbox, uint64_t *mref);
/**
 * inet:cancel_monitor/1: returns 1 when the monitor was removed (no DOWN
 * will come for it; also while a close is still writing the socket's
 * queue), 0 when there is no such monitor (already fired, already
 * cancelled, or never made). Thread-safe.
 */
ESOCK_API int esock_inet_cancel_monitor(uint64_t mref);

/** inet:info/1: a snapshot. */
typedef struct esock_inet_info {
    esock_inet_proto_t proto;
    int family;           /**< AF_INET / AF_INET6 / AF_UNIX */
    int fd;
    esock_mbox_t owner;
    int active;           /**< as ESOCK_IOPT_ACTIVE */
    unsigned states;      /**< ESOCK_INET_ST_* bits */
    uint64_t input;       /**< bytes buffered for reading */
    uint64_t output;      /**< bytes queued for sending (send_pend) */
    uint64_t counters[ESOCK_STAT_COUNT_];
    unsigned monitors;
} esock_inet_info_t;
#define ESOCK_INET_ST_OPEN       0x01
#define ESOCK_INET_ST_BOUND      0x02
#define ESOCK_INET_ST_LISTEN     0x04
#define ESOCK_INET_ST_CONNECTED  0x08
#define ESOCK_INET_ST_CONNECTING 0x10
#define ESOCK_INET_ST_ACCEPTING  0x20
#define ESOCK_INET_ST_BUSY       0x40
ESOCK_API int esock_inet_info(esock_inet_t s, esock_inet_info_t *info);

/** The columns of inet:i/0,1,2. */
typedef enum esock_inet_icol {
    ESOCK_ICOL_PORT, ESOCK_ICOL_MODULE, ESOCK_ICOL_RECV, ESOCK_ICOL_SENT, ESOCK_ICOL_OWNER,
    ESOCK_ICOL_LOCAL_ADDRESS, ESOCK_ICOL_FOREIGN_ADDRESS, ESOCK_ICOL_STATE, ESOCK_ICOL_TYPE,
    ESOCK_ICOL_COUNT_
} esock_inet_icol_t;

/** Protocol filter for esock_inet_i(). */
#define ESOCK_INET_I_ALL 0
#define ESOCK_INET_I_TCP 1
#define ESOCK_INET_I_UDP 2

/**
 * inet:i/0,1,2: writes the table of every open inet socket to @p out.
 * @p proto filters (ESOCK_INET_I_*); @p cols/@p ncols choose the columns
 * in any order, any of them more than once, as inet:i/2's field list
 * (NULL = all nine in the default order); @p show_ports prints numeric
 * ports instead of service names. tcp comes first, then udp; a protocol
 * with no open sockets prints nothing, not even its header (as OTP).
 * Returns the number of rows, or -EINVAL (NULL @p out, a @p proto that
 * is no ESOCK_INET_I_* value, a bad column), printing nothing then.
 */
ESOCK_API int esock_inet_i(FILE *out, int proto, const esock_inet_icol_t *cols, size_t ncols,
                           bool show_ports);

/** Number of open inet sockets (handles not yet closed), for leak checks. Thread-safe. */
ESOCK_API size_t esock_inet_count(void);

ESOCK_END_DECLS

#endif /* ESOCK_INET_H */
