/*
 * esock/socket.h - the socket module: OTP's socket(3erl) in C.
 *
 * Conventions (see common.h and error.h):
 *  - Functions return 0, a negative error code, or a positive non-error
 *    outcome: ESOCK_SELECT (a nowait call could not complete: a select
 *    message follows to the calling thread's mailbox, esock_mbox_self()) or
 *    ESOCK_SELECT_PARTIAL (it did part of the work).
 *  - timeout_ms is a number of milliseconds, ESOCK_INFINITY or ESOCK_NOWAIT.
 *    The select_handle() form: pass ESOCK_NOWAIT and an esock_select_info_t
 *    whose handle is non-zero on input; that handle is then used in the
 *    select message instead of a fresh one. So with ESOCK_NOWAIT the
 *    select info is read as well as written: zero it (= {0}) for a fresh
 *    handle. (valgrind found a test that passed it uninitialised.)
 *  - Partial results go to out-parameters: a stream recv of Length that times
 *    out returns ESOCK_ETIMEOUT with *received bytes in the buffer
 *    ({error, {timeout, Data}}); a send that times out returns ESOCK_ETIMEOUT
 *    with *sent set ({error, {timeout, RestData}}).
 *  - Domains, types and protocols are the OS numbers (AF_INET, SOCK_STREAM,
 *    IPPROTO_TCP, ...); esock_domain_name() and friends give OTP's atoms.
 *
 * Thread safety: every function may be called from any thread on any socket.
 * Per socket there is one current reader, writer and acceptor; other callers
 * queue in arrival order. esock_close() from another thread wakes blocked
 * callers with ESOCK_ECLOSED and sends abort messages for pending nowait
 * operations; the descriptor is closed only when no call uses it any more.
 * A stale handle fails with ESOCK_ECLOSED.
 */
#ifndef ESOCK_SOCKET_H
#define ESOCK_SOCKET_H

#include <esock/addr.h>
#include <esock/common.h>
#include <esock/error.h>
#include <esock/mbox.h>

#include <stdbool.h>
#include <stdio.h>

ESOCK_BEGIN_DECLS

/** A socket handle (a counter value, never reused before 2^32 more; common.h). id 0 is never valid. */
typedef struct esock {
    uint32_t id;
} esock_t;

/** The select_info(): which operation (tag) and the handle of its messages. */
typedef struct esock_select_info {
    esock_op_t tag;
    uint64_t handle;
} esock_select_info_t;

/** Default listen backlog (OTP's listen/1). */
#define ESOCK_DEFAULT_BACKLOG 5

/* ---- open / close --------------------------------------------------------- */

/**
 * open(Domain, Type, Protocol): domain AF_INET/AF_INET6/AF_UNIX/AF_UNSPEC or
 * any integer; type SOCK_STREAM/DGRAM/RAW/RDM/SEQPACKET or any integer;
 * protocol 0 for the default, or any integer. The calling thread's mailbox
 * becomes the owner (controlling process). 0 with *out set, or -errno
 * (-EAFNOSUPPORT, -EPROTONOSUPPORT, -EMFILE...), -ENOMEM, ESOCK_ESYSTEM_LIMIT.
 */
ESOCK_API int esock_open(int domain, int type, int protocol, esock_t *out);

/**
 * open(FD): wraps an existing socket descriptor, finding its domain, type
 * and protocol from the OS; a listening descriptor (an inherited listener,
 * socket activation) is a listening socket: esock_accept takes from it
 * without an esock_listen. The descriptor is duplicated unless @p dup is
 * false, in which case esock takes it over (and closes it on esock_close).
 * Either way esock sets the descriptor's O_NONBLOCK flag, and may clear it
 * later for its blocking readers (see esock_fd); a duplicate shares those
 * flags with @p fd. -ENOTSOCK if fd is no socket, -EBADF if it is not open.
 */
ESOCK_API int esock_open_fd(int fd, bool dup, esock_t *out);

/**
 * Closes the socket. Blocked callers on other threads return ESOCK_ECLOSED,
 * pending nowait operations get an abort message, monitors get DOWN. The
 * handle is stale at once; the descriptor is closed when the last call using
 * it returns. A reader asleep in recv (no deadline, docs/socket.md) is woken
 * by shutdown(SHUT_RD) of the socket, which sends nothing to the peer.
 * 0, or ESOCK_ECLOSED if already closed / stale.
 */
ESOCK_API int esock_close(esock_t s);

/* ---- addresses ------------------------------------------------------------ */

/** bind. 0 or -errno (-EADDRINUSE, -EACCES, -EINVAL), ESOCK_EINVAL_ADDRESS, ESOCK_ECLOSED. */
ESOCK_API int esock_bind(esock_t s, const esock_sockaddr_t *addr);
/** listen with a backlog (ESOCK_DEFAULT_BACKLOG for listen/1). 0 or -errno, ESOCK_ECLOSED. */
ESOCK_API int esock_listen(esock_t s, int backlog);
/** sockname: the local address (an ephemeral port shows here after bind port 0). */
ESOCK_API int esock_sockname(esock_t s, esock_sockaddr_t *addr);
/** peername: the connected peer. -ENOTCONN when not connected. */
ESOCK_API int esock_peername(esock_t s, esock_sockaddr_t *addr);

/* ---- connect / accept ------------------------------------------------------ */

/**
 * connect with a timeout. With ESOCK_NOWAIT a connect in progress returns
 * ESOCK_SELECT (tag ESOCK_OP_CONNECT); on the select message call
 * esock_connect_finish(). ESOCK_EALREADY_OP if another connect is in
 * progress; ESOCK_ETIMEOUT (then close the socket: the attempt may still
 * complete); -ECONNREFUSED etc.
 */
ESOCK_API int esock_connect(esock_t s, const esock_sockaddr_t *addr, int64_t timeout_ms,
                            esock_select_info_t *si);
/**
 * connect/1: completes a nowait connect after its select message: its
 * result, 0 or -errno, and the socket's writer goes to the next in line.
 * A nowait connect queued behind another writer is made when its turn
 * comes, and its select message follows when it is over. -EINPROGRESS
 * while it is still queued or in progress (wait for the message); with no
 * connect in progress 0 if connected, else -ENOTCONN.
 */
ESOCK_API int esock_connect_finish(esock_t s);

/**
 * accept with a timeout. 0 with *out set (the new socket's owner is the
 * calling thread's mailbox), ESOCK_SELECT (nowait), ESOCK_ETIMEOUT,
 * ESOCK_ECLOSED, -errno (-EMFILE: the listener stays usable).
 */
ESOCK_API int esock_accept(esock_t s, int64_t timeout_ms, esock_t *out, esock_select_info_t *si);

/* ---- data ------------------------------------------------------------------ */

/**
 * send: all of @p len bytes. 0 when all was sent (*sent = len);
 * ESOCK_ETIMEOUT with *sent < len when the deadline passed;
 * nowait: ESOCK_SELECT_PARTIAL with *sent bytes sent and a select message to
 * follow for the rest, or ESOCK_SELECT when nothing could be sent;
 * -EPIPE, -ECONNRESET ... with *sent set ({error, {Reason, Rest}}).
 * @p flags are MSG_* values (see esock_msg_flag()). @p sent may be NULL.
 */
ESOCK_API int esock_send(esock_t s, const void *data, size_t len, int flags, int64_t timeout_ms,
                         size_t *sent, esock_select_info_t *si);
/** sendto: as esock_send, to @p dest (a datagram goes whole or not at all). */
ESOCK_API int esock_sendto(esock_t s, const void *data, size_t len, int flags,
                           const esock_sockaddr_t *dest, int64_t timeout_ms, size_t *sent,
                           esock_select_info_t *si);

/**
 * recv. Length @p len > 0 on a stream: all len bytes, or an error with the
 * bytes so far in *received (ESOCK_ETIMEOUT: {error, {timeout, Data}};
 * ESOCK_ECLOSED when the peer closed first). @p len == 0: whatever is
 * available, up to @p cap (the otp rcvbuf default when you pass cap 0 is
 * not possible in C: pass your buffer's size); with {otp, rcvbuf} {N, Size},
 * N > 1, up to N reads of Size bytes while each fills its Size (OTP's
 * recv/1; see esock_otp_rcvbuf_t). On a datagram socket one
 * datagram, truncated to the buffer (MSG_TRUNC semantics as the OS gives).
 * nowait: ESOCK_SELECT when nothing was there; ESOCK_SELECT_PARTIAL with
 * *received bytes when a stream recv of len got some but not all
 * ({ok, {Data, SelectInfo}}).
 * @p buf must hold max(len, cap) bytes; the caller owns it.
 */
ESOCK_API int esock_recv(esock_t s, void *buf, size_t len, size_t cap, int flags,
                         int64_t timeout_ms, size_t *received, esock_select_info_t *si);
/**
 * recvfrom: one datagram (or a stream read) and its source address in
 * *from (may be NULL): a stream's peer. On success *from is always written:
 * unspec (all zero, len 0) when the OS gave no address, e.g. an unnamed
 * unix dgram sender, a UDP socket after shutdown(SHUT_RD) or a stream
 * whose peer cannot be named, as esock_recvmsg does.
 */
ESOCK_API int esock_recvfrom(esock_t s, void *buf, size_t cap, int flags, int64_t timeout_ms,
                             size_t *received, esock_sockaddr_t *from, esock_select_info_t *si);

/** shutdown: how is SHUT_RD, SHUT_WR or SHUT_RDWR. 0 or -errno. */
ESOCK_API int esock_shutdown(esock_t s, int how);

/**
 * cancel(Socket, SelectInfo): ends a nowait operation in progress for the
 * calling thread (it is removed from the queue and the next caller goes on).
 * 0, ESOCK_EINVAL_SELECTINFO if it matches no operation in progress,
 * ESOCK_ECLOSED.
 */
ESOCK_API int esock_cancel(esock_t s, const esock_select_info_t *si);

/* ---- owner, monitors ---------------------------------------------------------- */

/** The owner (controlling process) mailbox, in *owner. 0, ESOCK_ECLOSED, -EFAULT for a NULL @p owner. */
ESOCK_API int esock_get_owner(esock_t s, esock_mbox_t *owner);
/** Changes the owner; only meaningful for messages the socket sends unasked. */
ESOCK_API int esock_set_owner(esock_t s, esock_mbox_t owner);

/**
 * monitor: a DOWN message (ref = *mref) goes to @p to when the socket closes
 * for any reason; at once with reason -ENOENT ("nosock") if the socket does
 * not exist. 0 with *mref set.
 */
ESOCK_API int esock_monitor(esock_t s, esock_mbox_t to, uint64_t *mref);
/** cancel_monitor. 0, or -ENOENT when no such monitor is active. */
ESOCK_API int esock_cancel_monitor(uint64_t mref);

/* ---- registry, info, counters ------------------------------------------------- */

/** number_of(): sockets open (and in the registry). */
ESOCK_API int esock_number_of(void);

/** which_sockets() filter: zero fields match everything. */
typedef struct esock_filter {
    int domain, type, protocol; /**< 0 = any */
    uint32_t owner;             /**< mailbox id, 0 = any */
    bool (*pred)(esock_t s, void *arg); /**< NULL = any */
    void *arg;
} esock_filter_t;

/** which_sockets: up to @p cap handles into @p out; returns how many match (may be > cap). */
ESOCK_API int esock_which_sockets(const esock_filter_t *f, esock_t *out, size_t cap);

/** use_registry: global default for new sockets. */
ESOCK_API void esock_use_registry(bool on);

/** socket_counters(): every counter of the page, exact. */
typedef struct esock_counters {
    uint64_t read_byte, read_fails, read_pkg, read_pkg_max, read_tries, read_waits;
    uint64_t write_byte, write_fails, write_pkg, write_pkg_max, write_tries, write_waits;
    uint64_t acc_success, acc_fails, acc_tries, acc_waits;
    uint64_t sendfile, sendfile_byte, sendfile_fails, sendfile_max, sendfile_pkg,
        sendfile_pkg_max, sendfile_tries, sendfile_waits;
} esock_counters_t;

/** socket_info(). */
typedef struct esock_socket_info {
    int domain, type, protocol;
    uint32_t owner;
    bool use_registry;
    int num_readers, num_writers, num_acceptors;
    bool readable, writable; /**< open for reading / writing (not shut down) */
    const char *rstate, *wstate; /**< "closed" / "accepting" / "listening" / "connected" / "open" ... */
    esock_counters_t counters;
} esock_socket_info_t;

/** info(Socket). 0, ESOCK_ECLOSED, -EFAULT for a NULL @p info. */
ESOCK_API int esock_info_socket(esock_t s, esock_socket_info_t *info);

/** info(): library-wide counters. */
typedef struct esock_lib_info {
    uint64_t num_sockets, num_dinet, num_dinet6, num_dlocal;
    uint64_t num_tstreams, num_tdgrams, num_tseqpkgs;
    uint64_t num_pip, num_pip6, num_ptcp, num_pudp, num_psctp;
    int iov_max;
    bool use_registry;
} esock_lib_info_t;
/** info(): fills *info. 0, or -EFAULT for a NULL @p info. Thread-safe. */
ESOCK_API int esock_info(esock_lib_info_t *info);

/** Socket counters as OTP names them (for printing): the name of field i, NULL past the end. */
ESOCK_API const char *esock_counter_name(size_t i);
ESOCK_API uint64_t esock_counter_value(const esock_counters_t *c, size_t i);

/**
 * i(): prints the socket table (columns: id, owner, fd, domain, type,
 * protocol, rstate, wstate, read, written) to @p out. @p domain / @p type /
 * @p protocol restrict it like i(Domain | Type | Proto); 0 = all. A NULL
 * @p out prints nothing.
 */
ESOCK_API void esock_i(FILE *out, int domain, int type, int protocol);

/** OTP's atom names: "inet", "stream", "tcp", ...; NULL if unknown. */
ESOCK_API const char *esock_domain_name(int domain);
ESOCK_API const char *esock_type_name(int type);
ESOCK_API const char *esock_protocol_name(int protocol);
/** Inverse lookups: -1 if unknown. */
ESOCK_API int esock_domain_from_name(const char *name);
ESOCK_API int esock_type_from_name(const char *name);
ESOCK_API int esock_protocol_from_name(const char *name);

/**
 * The socket's descriptor (for poll integration, native options). It stays
 * esock's: once a reader with no deadline has waited, esock keeps it in
 * blocking mode (its own calls never block; see docs/socket.md), so do not
 * read or write it directly. -EBADF/ESOCK_ECLOSED if closed.
 */
ESOCK_API int esock_fd(esock_t s);

/* ==== sendmsg / recvmsg / sendfile (src/socket/msg.c, sendfile.c) ========== */
/* The message header and control messages are in <esock/cmsg.h>. */

struct esock_msghdr;

/**
 * sendmsg: the data of @p msg->iov (any number of vectors), with the
 * encoded control messages of msg->ctrl, to msg->addr (NULL: connected).
 * Same results as esock_send: 0 when all was sent (*sent = total);
 * ESOCK_ETIMEOUT with *sent < total; nowait ESOCK_SELECT / ESOCK_SELECT_PARTIAL
 * (call again with the vectors advanced by *sent and without the control
 * messages, which went with the first bytes); -errno with *sent set.
 * A stream with more than IOV_MAX vectors is sent in windows of IOV_MAX and
 * write_byte counts every byte; a datagram with more than IOV_MAX vectors is
 * gathered into one buffer first (one datagram, never split). The control
 * messages go with the first syscall only. @p flags are MSG_* values.
 * The caller owns @p msg and everything it points to. @p sent may be NULL.
 */
ESOCK_API int esock_sendmsg(esock_t s, const struct esock_msghdr *msg, int flags,
                            int64_t timeout_ms, size_t *sent, esock_select_info_t *si);

/**
 * recvmsg: one datagram (or what a stream has, up to the buffers) into
 * msg->iov (at most IOV_MAX vectors are used), its source into msg->addr
 * (if not NULL; unspec with len 0 when the OS gave none, e.g. a connected
 * stream), control messages into msg->ctrl (msg->ctrllen = bytes received)
 * and msg->flags = the msg_flags (MSG_TRUNC, MSG_CTRUNC, MSG_ERRQUEUE...).
 * msg->ctrl NULL: a buffer of {otp, rcvctrlbuf} bytes (default 1024) is
 * allocated and owned by msg (msg->ctrl_owned; free it with
 * esock_msghdr_release, also when you reuse msg); it is released again
 * when the call returns anything but 0. *received = bytes received (the
 * datagram's full size when MSG_TRUNC is passed in @p flags).
 * 0; ESOCK_SELECT (nowait: nothing there, a select message follows);
 * ESOCK_ETIMEOUT; ESOCK_ECLOSED (closed, or a stream's peer closed);
 * -errno. @p received may be NULL.
 */
ESOCK_API int esock_recvmsg(esock_t s, struct esock_msghdr *msg, int flags, int64_t timeout_ms,
                            size_t *received, esock_select_info_t *si);

/**
 * sendfile(Socket, FileFd, Offset, Count, Timeout): @p count bytes of
 * @p file_fd from @p offset (count 0: to the end of the file) to a stream
 * socket. The file offset of @p file_fd is not changed; the caller keeps
 * owning @p file_fd and must keep it open until the operation ends.
 * 0 when done (*sent = bytes sent; fewer than count if the file ended
 * first); ESOCK_ETIMEOUT or nowait ESOCK_SELECT / ESOCK_SELECT_PARTIAL with
 * *sent bytes sent by this call: the rest is remembered in the socket, so
 * call esock_sendfile_continue() (after the select message, or after a
 * timeout) to go on; -errno (-EOPNOTSUPP on a non-stream socket, -EBADF,
 * -EINVAL from the OS...), ESOCK_EINVAL_VALUE for a negative offset,
 * ESOCK_ECLOSED. A new esock_sendfile replaces an unfinished one.
 * @p sent may be NULL. Counters as OTP counts them: sendfile_tries one per
 * operation started here, sendfile one per sendfile(2) syscall (table in
 * docs/socket-msg.md).
 */
ESOCK_API int esock_sendfile(esock_t s, int file_fd, int64_t offset, size_t count,
                             int64_t timeout_ms, size_t *sent, esock_select_info_t *si);

/**
 * sendfile(Socket, Continuation, ...): goes on with the unfinished sendfile
 * of @p s (same results; *sent = bytes sent by this call).
 * ESOCK_EXBADSEQ when there is no unfinished sendfile.
 */
ESOCK_API int esock_sendfile_continue(esock_t s, int64_t timeout_ms, size_t *sent,
                                      esock_select_info_t *si);

/* ==== i/0,1,2 with OTP's table layout (src/socket/itable.c, "cmsg" helper) ==== */

/** info_keys(): the columns of i(), in OTP's default order. */
enum esock_i_key {
    ESOCK_I_DOMAIN, ESOCK_I_TYPE, ESOCK_I_PROTOCOL, ESOCK_I_FD, ESOCK_I_OWNER,
    ESOCK_I_LOCAL_ADDRESS, ESOCK_I_REMOTE_ADDRESS, ESOCK_I_RECV, ESOCK_I_SENT, ESOCK_I_STATE,
    ESOCK_I_NKEYS
};
/** The key of an info_keys() atom ("domain", "local_address", ...), or ESOCK_EINVAL_VALUE. */
ESOCK_API int esock_i_key(const char *name);
/** The atom of a key, NULL if out of range. */
ESOCK_API const char *esock_i_key_name(int key);
/**
 * i(Domain | Proto | Type): fills @p f (zeroed first) from one of the atoms
 * inet, inet6, local, stream, dgram, seqpacket, sctp, tcp, udp.
 * 0, or ESOCK_EINVAL_VALUE for any other name.
 */
ESOCK_API int esock_i_filter_name(const char *name, esock_filter_t *f);
/**
 * i(), i(InfoKeys), i(Filter, InfoKeys): prints a header line and one line
 * per matching socket (creation order) to @p out, the columns @p keys
 * (ESOCK_I_*; NULL or 0 keys = all, in order), each as wide as its widest
 * cell plus one space, in OTP's cell formats (docs/socket-i.md). @p f NULL
 * = every socket. Returns the number of rows, ESOCK_EINVAL_VALUE for a bad
 * key, -ENOMEM. Thread-safe; sockets opened or closed meanwhile may be
 * left out.
 */
ESOCK_API int esock_i_keys(FILE *out, const esock_filter_t *f, const int *keys, size_t nkeys);
/**
 * socket_info() rstates / wstates as lists of atoms ("bound", "listening",
 * "accepting", "selected" / "connecting", "connected", "selected"): up to 4
 * each into @p rst / @p wst (static strings), counts in *nr / *nw.
 * 0, ESOCK_ECLOSED, -EFAULT if a pointer is NULL.
 */
ESOCK_API int esock_socket_states(esock_t s, const char **rst, size_t *nr, const char **wst,
                                  size_t *nw);

ESOCK_END_DECLS

#endif
