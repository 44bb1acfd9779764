/*
 * esock/optlist.h - THE option table: every socket option of the socket
 * module's reference page (levels otp, socket, ip, ipv6, tcp, udp, sctp).
 *
 * One row per option:
 *
 *   X(LEVEL, NAME, "atom", TYPE, ACCESS, NATIVE, "note")
 *
 *   LEVEL   OTP SOCKET IP IPV6 TCP UDP SCTP   (esock_level_t ESOCK_LEVEL_<LEVEL>)
 *   NAME    enumerator suffix: the option is ESOCK_OPT_<LEVEL>_<NAME>
 *   "atom"  the Erlang option name
 *   TYPE    value type, esock_optval_type_t ESOCK_OVT_<TYPE> (see opt.h)
 *   ACCESS  G (get only), S (set only) or GS
 *   NATIVE  the OS constant's name (SO_LINGER, ...), or NONE for the otp
 *           level. It is only a token here; the library maps it to the
 *           constant where the platform headers define one, and an option
 *           whose constant is missing is "not supported" on that build.
 *   "note"  the reference page's remark, shown in docs/options.md
 *
 * The enum of option ids (opt.h), the library's validation, the supports()
 * answers and docs/options.md are all generated from this list. Users may
 * expand it too (their X macro need not use the NATIVE column).
 */
#ifndef ESOCK_OPTLIST_H
#define ESOCK_OPTLIST_H

/* clang-format off */
#define ESOCK_OPTION_TABLE(X) \
    /* ---- otp: this library's level above the OS ---- */ \
    X(OTP, DEBUG,               "debug",               BOOL,        GS, NONE, "library debug trace for this socket") \
    X(OTP, IOW,                 "iow",                 BOOL,        GS, NONE, "inform on (counter) wrap") \
    X(OTP, CONTROLLING_PROCESS, "controlling_process", MBOX,        GS, NONE, "the owner mailbox") \
    X(OTP, RCVBUF,              "rcvbuf",              OTP_RCVBUF,  GS, NONE, "default recv/recvfrom/recvmsg length (8192); size 0 sets the default") \
    X(OTP, RCVCTRLBUF,          "rcvctrlbuf",          OTP_BUFSZ,   GS, NONE, "default recvmsg control buffer (1024); 0 sets the default") \
    X(OTP, SNDCTRLBUF,          "sndctrlbuf",          OTP_BUFSZ,   GS, NONE, "sendmsg control buffer (1024); 0 sets the default") \
    X(OTP, META,                "meta",                META,        GS, NONE, "a user value kept on the socket (0 by default)") \
    X(OTP, USE_REGISTRY,        "use_registry",        BOOL,        G,  NONE, "whether the socket is in the registry") \
    X(OTP, FD,                  "fd",                  INT,         G,  NONE, "the OS file descriptor") \
    X(OTP, DOMAIN,              "domain",              DOMAIN,      G,  NONE, "the domain the socket was opened with") \
    /* ---- socket (SOL_SOCKET) ---- */ \
    X(SOCKET, ACCEPTCONN,   "acceptconn",   BOOL,     G,  SO_ACCEPTCONN,   "") \
    X(SOCKET, ACCEPTFILTER, "acceptfilter", STRING,   GS, SO_ACCEPTFILTER, "BSD") \
    X(SOCKET, BINDTODEVICE, "bindtodevice", STRING,   GS, SO_BINDTODEVICE, "interface name; \"\" unbinds") \
    X(SOCKET, BROADCAST,    "broadcast",    BOOL,     GS, SO_BROADCAST,    "dgram") \
    X(SOCKET, BUSY_POLL,    "busy_poll",    INT,      GS, SO_BUSY_POLL,    "microseconds; raising it needs privilege") \
    X(SOCKET, DEBUG,        "debug",        INT,      GS, SO_DEBUG,        "setting needs privilege") \
    X(SOCKET, DOMAIN,       "domain",       DOMAIN,   G,  SO_DOMAIN,       "not on FreeBSD") \
    X(SOCKET, DONTROUTE,    "dontroute",    BOOL,     GS, SO_DONTROUTE,    "") \
    X(SOCKET, ERROR,        "error",        ERROR,    G,  SO_ERROR,        "pending error as -errno (0 if none); reading clears it") \
    X(SOCKET, KEEPALIVE,    "keepalive",    BOOL,     GS, SO_KEEPALIVE,    "") \
    X(SOCKET, LINGER,       "linger",       LINGER,   GS, SO_LINGER,       "abort = {onoff true, linger 0}, set only") \
    X(SOCKET, MARK,         "mark",         INT,      GS, SO_MARK,         "setting needs privilege") \
    X(SOCKET, OOBINLINE,    "oobinline",    BOOL,     GS, SO_OOBINLINE,    "") \
    X(SOCKET, PASSCRED,     "passcred",     BOOL,     GS, SO_PASSCRED,     "") \
    X(SOCKET, PEEK_OFF,     "peek_off",     INT,      GS, SO_PEEK_OFF,     "disabled (as the page says): repeated peek may loop for ever") \
    X(SOCKET, PEERCRED,     "peercred",     UCRED,    G,  SO_PEERCRED,     "local sockets") \
    X(SOCKET, PRIORITY,     "priority",     INT,      GS, SO_PRIORITY,     "") \
    X(SOCKET, PROTOCOL,     "protocol",     PROTOCOL, G,  SO_PROTOCOL,     "not on Darwin") \
    X(SOCKET, RCVBUF,       "rcvbuf",       INT,      GS, SO_RCVBUF,       "") \
    X(SOCKET, RCVBUFFORCE,  "rcvbufforce",  INT,      S,  SO_RCVBUFFORCE,  "rcvbuf beyond the system limit; needs privilege; read it back with rcvbuf") \
    X(SOCKET, RCVLOWAT,     "rcvlowat",     INT,      GS, SO_RCVLOWAT,     "") \
    X(SOCKET, RCVTIMEO,     "rcvtimeo",     TIMEVAL,  GS, SO_RCVTIMEO,     "unsupported unless built with ESOCK_ENABLE_RCVSNDTIMEO; use the timeout argument") \
    X(SOCKET, REUSEADDR,    "reuseaddr",    BOOL,     GS, SO_REUSEADDR,    "") \
    X(SOCKET, REUSEPORT,    "reuseport",    BOOL,     GS, SO_REUSEPORT,    "") \
    X(SOCKET, RXQ_OVFL,     "rxq_ovfl",     BOOL,     GS, SO_RXQ_OVFL,     "") \
    X(SOCKET, SETFIB,       "setfib",       INT,      S,  SO_SETFIB,       "FreeBSD") \
    X(SOCKET, SNDBUF,       "sndbuf",       INT,      GS, SO_SNDBUF,       "") \
    X(SOCKET, SNDBUFFORCE,  "sndbufforce",  INT,      S,  SO_SNDBUFFORCE,  "sndbuf beyond the system limit; needs privilege; read it back with sndbuf") \
    X(SOCKET, SNDLOWAT,     "sndlowat",     INT,      GS, SO_SNDLOWAT,     "not changeable on Linux") \
    X(SOCKET, SNDTIMEO,     "sndtimeo",     TIMEVAL,  GS, SO_SNDTIMEO,     "unsupported unless built with ESOCK_ENABLE_RCVSNDTIMEO; use the timeout argument") \
    X(SOCKET, TIMESTAMP,    "timestamp",    BOOL,     GS, SO_TIMESTAMP,    "") \
    X(SOCKET, TYPE,         "type",         SOCKTYPE, G,  SO_TYPE,         "") \
    /* ---- ip (IPPROTO_IP) ---- */ \
    X(IP, ADD_MEMBERSHIP,         "add_membership",         IP_MREQ,        S,  IP_ADD_MEMBERSHIP,         "") \
    X(IP, ADD_SOURCE_MEMBERSHIP,  "add_source_membership",  IP_MREQ_SOURCE, S,  IP_ADD_SOURCE_MEMBERSHIP,  "") \
    X(IP, BLOCK_SOURCE,           "block_source",           IP_MREQ_SOURCE, S,  IP_BLOCK_SOURCE,           "") \
    X(IP, DONTFRAG,               "dontfrag",               BOOL,           GS, IP_DONTFRAG,               "BSD") \
    X(IP, DROP_MEMBERSHIP,        "drop_membership",        IP_MREQ,        S,  IP_DROP_MEMBERSHIP,        "") \
    X(IP, DROP_SOURCE_MEMBERSHIP, "drop_source_membership", IP_MREQ_SOURCE, S,  IP_DROP_SOURCE_MEMBERSHIP, "") \
    X(IP, FREEBIND,               "freebind",               BOOL,           GS, IP_FREEBIND,               "") \
    X(IP, HDRINCL,                "hdrincl",                BOOL,           GS, IP_HDRINCL,                "raw sockets") \
    X(IP, MINTTL,                 "minttl",                 INT,            GS, IP_MINTTL,                 "") \
    X(IP, MSFILTER,               "msfilter",               IP_MSFILTER,    S,  IP_MSFILTER,               "null (no value) passes a NULL pointer and size 0") \
    X(IP, MTU,                    "mtu",                    INT,            G,  IP_MTU,                    "connected sockets") \
    X(IP, MTU_DISCOVER,           "mtu_discover",           IP_PMTUDISC,    GS, IP_MTU_DISCOVER,           "") \
    X(IP, MULTICAST_ALL,          "multicast_all",          BOOL,           GS, IP_MULTICAST_ALL,          "") \
    X(IP, MULTICAST_IF,           "multicast_if",           IN_ADDR,        GS, IP_MULTICAST_IF,           "any (0.0.0.0) or an interface address") \
    X(IP, MULTICAST_LOOP,         "multicast_loop",         BOOL,           GS, IP_MULTICAST_LOOP,         "") \
    X(IP, MULTICAST_TTL,          "multicast_ttl",          INT,            GS, IP_MULTICAST_TTL,          "0..255") \
    X(IP, NODEFRAG,               "nodefrag",               BOOL,           GS, IP_NODEFRAG,               "raw sockets") \
    X(IP, OPTIONS,                "options",                BYTES,          GS, IP_OPTIONS,                "raw IP options, up to 40 bytes") \
    X(IP, PKTINFO,                "pktinfo",                BOOL,           GS, IP_PKTINFO,                "dgram") \
    X(IP, RECVDSTADDR,            "recvdstaddr",            BOOL,           GS, IP_RECVDSTADDR,            "BSD") \
    X(IP, RECVERR,                "recverr",                BOOL,           GS, IP_RECVERR,                "read the error queue with recvmsg and the errqueue flag") \
    X(IP, RECVIF,                 "recvif",                 BOOL,           GS, IP_RECVIF,                 "BSD") \
    X(IP, RECVOPTS,               "recvopts",               BOOL,           GS, IP_RECVOPTS,               "not stream") \
    X(IP, RECVORIGDSTADDR,        "recvorigdstaddr",        BOOL,           GS, IP_RECVORIGDSTADDR,        "") \
    X(IP, RECVTOS,                "recvtos",                BOOL,           GS, IP_RECVTOS,                "") \
    X(IP, RECVTTL,                "recvttl",                BOOL,           GS, IP_RECVTTL,                "") \
    X(IP, RETOPTS,                "retopts",                BOOL,           GS, IP_RETOPTS,                "not stream") \
    X(IP, ROUTER_ALERT,           "router_alert",           INT,            GS, IP_ROUTER_ALERT,           "raw sockets") \
    X(IP, SNDSRCADDR,             "sndsrcaddr",             BOOL,           GS, IP_SENDSRCADDR,            "BSD") \
    X(IP, TOS,                    "tos",                    IP_TOS,         GS, IP_TOS,                    "lowdelay, throughput, reliability, mincost or any byte") \
    X(IP, TRANSPARENT,            "transparent",            BOOL,           GS, IP_TRANSPARENT,            "setting needs privilege") \
    X(IP, TTL,                    "ttl",                    INT,            GS, IP_TTL,                    "") \
    X(IP, UNBLOCK_SOURCE,         "unblock_source",         IP_MREQ_SOURCE, S,  IP_UNBLOCK_SOURCE,         "") \
    /* ---- ipv6 (IPPROTO_IPV6) ---- */ \
    X(IPV6, ADDRFORM,          "addrform",          DOMAIN,        S,  IPV6_ADDRFORM,          "inet only, on a connected v4-mapped socket") \
    X(IPV6, ADD_MEMBERSHIP,    "add_membership",    IPV6_MREQ,     S,  IPV6_ADD_MEMBERSHIP,    "") \
    X(IPV6, AUTHHDR,           "authhdr",           BOOL,          GS, IPV6_AUTHHDR,           "") \
    X(IPV6, AUTH_LEVEL,        "auth_level",        INT,           GS, IPV6_AUTH_LEVEL,        "BSD") \
    X(IPV6, CHECKSUM,          "checksum",          INT,           GS, IPV6_CHECKSUM,          "raw sockets; -1 disables") \
    X(IPV6, DROP_MEMBERSHIP,   "drop_membership",   IPV6_MREQ,     S,  IPV6_DROP_MEMBERSHIP,   "") \
    X(IPV6, DSTOPTS,           "dstopts",           BOOL,          GS, IPV6_RECVDSTOPTS,       "") \
    X(IPV6, ESP_TRANS_LEVEL,   "esp_trans_level",   INT,           GS, IPV6_ESP_TRANS_LEVEL,   "BSD") \
    X(IPV6, ESP_NETWORK_LEVEL, "esp_network_level", INT,           GS, IPV6_ESP_NETWORK_LEVEL, "BSD") \
    X(IPV6, FAITH,             "faith",             BOOL,          GS, IPV6_FAITH,             "BSD") \
    X(IPV6, FLOWINFO,          "flowinfo",          BOOL,          GS, IPV6_FLOWINFO,          "") \
    X(IPV6, HOPOPTS,           "hopopts",           BOOL,          GS, IPV6_RECVHOPOPTS,       "") \
    X(IPV6, IPCOMP_LEVEL,      "ipcomp_level",      INT,           GS, IPV6_IPCOMP_LEVEL,      "BSD") \
    X(IPV6, JOIN_GROUP,        "join_group",        IPV6_MREQ,     S,  IPV6_JOIN_GROUP,        "alias of add_membership") \
    X(IPV6, LEAVE_GROUP,       "leave_group",       IPV6_MREQ,     S,  IPV6_LEAVE_GROUP,       "alias of drop_membership") \
    X(IPV6, MTU,               "mtu",               INT,           G,  IPV6_MTU,               "connected sockets") \
    X(IPV6, MTU_DISCOVER,      "mtu_discover",      IPV6_PMTUDISC, GS, IPV6_MTU_DISCOVER,      "") \
    X(IPV6, MULTICAST_HOPS,    "multicast_hops",    IPV6_HOPS,     GS, IPV6_MULTICAST_HOPS,    "default (-1) only to set") \
    X(IPV6, MULTICAST_IF,      "multicast_if",      INT,           GS, IPV6_MULTICAST_IF,      "interface index") \
    X(IPV6, MULTICAST_LOOP,    "multicast_loop",    BOOL,          GS, IPV6_MULTICAST_LOOP,    "") \
    X(IPV6, PORTRANGE,         "portrange",         INT,           GS, IPV6_PORTRANGE,         "BSD") \
    X(IPV6, PKTOPTIONS,        "pktoptions",        BYTES,         GS, IPV6_2292PKTOPTIONS,    "RFC 2292 packet options; tcp sockets") \
    X(IPV6, RECVERR,           "recverr",           BOOL,          GS, IPV6_RECVERR,           "read the error queue with recvmsg and the errqueue flag") \
    X(IPV6, RECVHOPLIMIT,      "recvhoplimit",      BOOL,          GS, IPV6_RECVHOPLIMIT,      "") \
    X(IPV6, HOPLIMIT,          "hoplimit",          BOOL,          GS, IPV6_2292HOPLIMIT,      "RFC 2292 name of recvhoplimit") \
    X(IPV6, RECVPKTINFO,       "recvpktinfo",       BOOL,          GS, IPV6_RECVPKTINFO,       "") \
    X(IPV6, PKTINFO,           "pktinfo",           BOOL,          GS, IPV6_2292PKTINFO,       "RFC 2292 name of recvpktinfo") \
    X(IPV6, RECVTCLASS,        "recvtclass",        BOOL,          GS, IPV6_RECVTCLASS,        "") \
    X(IPV6, ROUTER_ALERT,      "router_alert",      INT,           GS, IPV6_ROUTER_ALERT,      "raw sockets of protocol IPPROTO_RAW") \
    X(IPV6, RTHDR,             "rthdr",             BOOL,          GS, IPV6_RECVRTHDR,         "") \
    X(IPV6, TCLASS,            "tclass",            INT,           GS, IPV6_TCLASS,            "") \
    X(IPV6, UNICAST_HOPS,      "unicast_hops",      IPV6_HOPS,     GS, IPV6_UNICAST_HOPS,      "default (-1) only to set") \
    X(IPV6, USE_MIN_MTU,       "use_min_mtu",       BOOL,          GS, IPV6_USE_MIN_MTU,       "BSD") \
    X(IPV6, V6ONLY,            "v6only",            BOOL,          GS, IPV6_V6ONLY,            "set before bind") \
    /* ---- tcp (IPPROTO_TCP) ---- */ \
    X(TCP, CONGESTION,   "congestion",   STRING,   GS, TCP_CONGESTION,   "algorithm name") \
    X(TCP, CORK,         "cork",         BOOL,     GS, TCP_CORK,         "") \
    X(TCP, INFO,         "info",         TCP_INFO, G,  TCP_INFO,         "") \
    X(TCP, KEEPCNT,      "keepcnt",      INT,      GS, TCP_KEEPCNT,      "") \
    X(TCP, KEEPIDLE,     "keepidle",     INT,      GS, TCP_KEEPIDLE,     "seconds") \
    X(TCP, KEEPINTVL,    "keepintvl",    INT,      GS, TCP_KEEPINTVL,    "seconds") \
    X(TCP, MAXSEG,       "maxseg",       INT,      GS, TCP_MAXSEG,       "") \
    X(TCP, MD5SIG,       "md5sig",       BYTES,    S,  TCP_MD5SIG,       "struct tcp_md5sig") \
    X(TCP, NODELAY,      "nodelay",      BOOL,     GS, TCP_NODELAY,      "") \
    X(TCP, NOOPT,        "noopt",        BOOL,     GS, TCP_NOOPT,        "BSD") \
    X(TCP, NOPUSH,       "nopush",       BOOL,     GS, TCP_NOPUSH,       "BSD (cork on Linux)") \
    X(TCP, SYNCNT,       "syncnt",       INT,      GS, TCP_SYNCNT,       "") \
    X(TCP, USER_TIMEOUT, "user_timeout", INT,      GS, TCP_USER_TIMEOUT, "milliseconds") \
    /* ---- udp (IPPROTO_UDP) ---- */ \
    X(UDP, CORK, "cork", BOOL, GS, UDP_CORK, "") \
    /* ---- sctp (IPPROTO_SCTP) ---- */ \
    X(SCTP, ADAPTION_LAYER,         "adaption_layer",         INT,                  GS, SCTP_ADAPTATION_LAYER,     "") \
    X(SCTP, ASSOCINFO,              "associnfo",              SCTP_ASSOCPARAMS,     GS, SCTP_ASSOCINFO,            "") \
    X(SCTP, AUTH_ACTIVE_KEY,        "auth_active_key",        BYTES,                GS, SCTP_AUTH_ACTIVE_KEY,      "struct sctp_authkeyid") \
    X(SCTP, AUTH_ASCONF,            "auth_asconf",            BYTES,                GS, SCTP_AUTH_ASCONF,          "") \
    X(SCTP, AUTH_CHUNK,             "auth_chunk",             BYTES,                S,  SCTP_AUTH_CHUNK,           "struct sctp_authchunk") \
    X(SCTP, AUTH_KEY,               "auth_key",               BYTES,                S,  SCTP_AUTH_KEY,             "struct sctp_authkey") \
    X(SCTP, AUTH_DELETE_KEY,        "auth_delete_key",        BYTES,                S,  SCTP_AUTH_DELETE_KEY,      "struct sctp_authkeyid") \
    X(SCTP, AUTOCLOSE,              "autoclose",              INT,                  GS, SCTP_AUTOCLOSE,            "seconds") \
    X(SCTP, CONTEXT,                "context",                BYTES,                GS, SCTP_CONTEXT,              "struct sctp_assoc_value") \
    X(SCTP, DEFAULT_SEND_PARAMS,    "default_send_params",    BYTES,                GS, SCTP_DEFAULT_SEND_PARAM,   "struct sctp_sndrcvinfo") \
    X(SCTP, DELAYED_ACK_TIME,       "delayed_ack_time",       BYTES,                GS, SCTP_DELAYED_ACK_TIME,     "struct sctp_assoc_value") \
    X(SCTP, DISABLE_FRAGMENTS,      "disable_fragments",      BOOL,                 GS, SCTP_DISABLE_FRAGMENTS,    "") \
    X(SCTP, HMAC_IDENT,             "hmac_ident",             BYTES,                GS, SCTP_HMAC_IDENT,           "struct sctp_hmacalgo") \
    X(SCTP, EVENTS,                 "events",                 SCTP_EVENT_SUBSCRIBE, S,  SCTP_EVENTS,               "") \
    X(SCTP, EXPLICIT_EOR,           "explicit_eor",           BOOL,                 GS, SCTP_EXPLICIT_EOR,         "") \
    X(SCTP, FRAGMENT_INTERLEAVE,    "fragment_interleave",    INT,                  GS, SCTP_FRAGMENT_INTERLEAVE,  "") \
    X(SCTP, GET_PEER_ADDR_INFO,     "get_peer_addr_info",     BYTES,                G,  SCTP_GET_PEER_ADDR_INFO,   "struct sctp_paddrinfo (in/out)") \
    X(SCTP, INITMSG,                "initmsg",                SCTP_INITMSG,         GS, SCTP_INITMSG,              "") \
    X(SCTP, I_WANT_MAPPED_V4_ADDR,  "i_want_mapped_v4_addr",  BOOL,                 GS, SCTP_I_WANT_MAPPED_V4_ADDR, "") \
    X(SCTP, LOCAL_AUTH_CHUNKS,      "local_auth_chunks",      BYTES,                G,  SCTP_LOCAL_AUTH_CHUNKS,    "struct sctp_authchunks (in/out)") \
    X(SCTP, MAXSEG,                 "maxseg",                 INT,                  GS, SCTP_MAXSEG,               "") \
    X(SCTP, MAXBURST,               "maxburst",               INT,                  GS, SCTP_MAX_BURST,            "") \
    X(SCTP, NODELAY,                "nodelay",                BOOL,                 GS, SCTP_NODELAY,              "") \
    X(SCTP, PARTIAL_DELIVERY_POINT, "partial_delivery_point", INT,                  GS, SCTP_PARTIAL_DELIVERY_POINT, "") \
    X(SCTP, PEER_ADDR_PARAMS,       "peer_addr_params",       BYTES,                GS, SCTP_PEER_ADDR_PARAMS,     "struct sctp_paddrparams") \
    X(SCTP, PEER_AUTH_CHUNKS,       "peer_auth_chunks",       BYTES,                G,  SCTP_PEER_AUTH_CHUNKS,     "struct sctp_authchunks (in/out)") \
    X(SCTP, PRIMARY_ADDR,           "primary_addr",           BYTES,                GS, SCTP_PRIMARY_ADDR,         "struct sctp_prim") \
    X(SCTP, RESET_STREAMS,          "reset_streams",          BYTES,                S,  SCTP_RESET_STREAMS,        "struct sctp_reset_streams") \
    X(SCTP, RTOINFO,                "rtoinfo",                SCTP_RTOINFO,         GS, SCTP_RTOINFO,              "") \
    X(SCTP, SET_PEER_PRIMARY_ADDR,  "set_peer_primary_addr",  BYTES,                S,  SCTP_SET_PEER_PRIMARY_ADDR, "struct sctp_setpeerprim") \
    X(SCTP, STATUS,                 "status",                 BYTES,                G,  SCTP_STATUS,               "struct sctp_status (in/out)") \
    X(SCTP, USE_EXT_RECVINFO,       "use_ext_recvinfo",       BOOL,                 GS, SCTP_USE_EXT_RCVINFO,      "")
/* clang-format on */

#endif /* ESOCK_OPTLIST_H */
