/* Generated once from the OTP 25 inet:format_error/1 texts; edit as data. */
/* Fallback codes for POSIX atoms this platform has no errno for: they take
 * library codes above ESOCK_ERR_BASE + 0x100, so they never collide. */
#ifndef E2BIG
#define E2BIG (ESOCK_ERR_BASE + 0x100 + 0)
#endif
#ifndef EACCES
#define EACCES (ESOCK_ERR_BASE + 0x100 + 1)
#endif
#ifndef EADDRINUSE
#define EADDRINUSE (ESOCK_ERR_BASE + 0x100 + 2)
#endif
#ifndef EADDRNOTAVAIL
#define EADDRNOTAVAIL (ESOCK_ERR_BASE + 0x100 + 3)
#endif
#ifndef EADV
#define EADV (ESOCK_ERR_BASE + 0x100 + 4)
#endif
#ifndef EAFNOSUPPORT
#define EAFNOSUPPORT (ESOCK_ERR_BASE + 0x100 + 5)
#endif
#ifndef EAGAIN
#define EAGAIN (ESOCK_ERR_BASE + 0x100 + 6)
#endif
#ifndef EALIGN
#define EALIGN (ESOCK_ERR_BASE + 0x100 + 7)
#endif
#ifndef EALREADY
#define EALREADY (ESOCK_ERR_BASE + 0x100 + 8)
#endif
#ifndef EBADE
#define EBADE (ESOCK_ERR_BASE + 0x100 + 9)
#endif
#ifndef EBADF
#define EBADF (ESOCK_ERR_BASE + 0x100 + 10)
#endif
#ifndef EBADFD
#define EBADFD (ESOCK_ERR_BASE + 0x100 + 11)
#endif
#ifndef EBADMSG
#define EBADMSG (ESOCK_ERR_BASE + 0x100 + 12)
#endif
#ifndef EBADR
#define EBADR (ESOCK_ERR_BASE + 0x100 + 13)
#endif
#ifndef EBADRPC
#define EBADRPC (ESOCK_ERR_BASE + 0x100 + 14)
#endif
#ifndef EBADRQC
#define EBADRQC (ESOCK_ERR_BASE + 0x100 + 15)
#endif
#ifndef EBADSLT
#define EBADSLT (ESOCK_ERR_BASE + 0x100 + 16)
#endif
#ifndef EBFONT
#define EBFONT (ESOCK_ERR_BASE + 0x100 + 17)
#endif
#ifndef EBUSY
#define EBUSY (ESOCK_ERR_BASE + 0x100 + 18)
#endif
#ifndef ECHILD
#define ECHILD (ESOCK_ERR_BASE + 0x100 + 19)
#endif
#ifndef ECHRNG
#define ECHRNG (ESOCK_ERR_BASE + 0x100 + 20)
#endif
#ifndef ECOMM
#define ECOMM (ESOCK_ERR_BASE + 0x100 + 21)
#endif
#ifndef ECONNABORTED
#define ECONNABORTED (ESOCK_ERR_BASE + 0x100 + 22)
#endif
#ifndef ECONNREFUSED
#define ECONNREFUSED (ESOCK_ERR_BASE + 0x100 + 23)
#endif
#ifndef ECONNRESET
#define ECONNRESET (ESOCK_ERR_BASE + 0x100 + 24)
#endif
#ifndef EDEADLK
#define EDEADLK (ESOCK_ERR_BASE + 0x100 + 25)
#endif
#ifndef EDEADLOCK
#define EDEADLOCK (ESOCK_ERR_BASE + 0x100 + 26)
#endif
#ifndef EDESTADDRREQ
#define EDESTADDRREQ (ESOCK_ERR_BASE + 0x100 + 27)
#endif
#ifndef EDIRTY
#define EDIRTY (ESOCK_ERR_BASE + 0x100 + 28)
#endif
#ifndef EDOM
#define EDOM (ESOCK_ERR_BASE + 0x100 + 29)
#endif
#ifndef EDOTDOT
#define EDOTDOT (ESOCK_ERR_BASE + 0x100 + 30)
#endif
#ifndef EDQUOT
#define EDQUOT (ESOCK_ERR_BASE + 0x100 + 31)
#endif
#ifndef EDUPPKG
#define EDUPPKG (ESOCK_ERR_BASE + 0x100 + 32)
#endif
#ifndef EEXIST
#define EEXIST (ESOCK_ERR_BASE + 0x100 + 33)
#endif
#ifndef EFAULT
#define EFAULT (ESOCK_ERR_BASE + 0x100 + 34)
#endif
#ifndef EFBIG
#define EFBIG (ESOCK_ERR_BASE + 0x100 + 35)
#endif
#ifndef EHOSTDOWN
#define EHOSTDOWN (ESOCK_ERR_BASE + 0x100 + 36)
#endif
#ifndef EHOSTUNREACH
#define EHOSTUNREACH (ESOCK_ERR_BASE + 0x100 + 37)
#endif
#ifndef EIDRM
#define EIDRM (ESOCK_ERR_BASE + 0x100 + 38)
#endif
#ifndef EINIT
#define EINIT (ESOCK_ERR_BASE + 0x100 + 39)
#endif
#ifndef EINPROGRESS
#define EINPROGRESS (ESOCK_ERR_BASE + 0x100 + 40)
#endif
#ifndef EINTR
#define EINTR (ESOCK_ERR_BASE + 0x100 + 41)
#endif
#ifndef EINVAL
#define EINVAL (ESOCK_ERR_BASE + 0x100 + 42)
#endif
#ifndef EIO
#define EIO (ESOCK_ERR_BASE + 0x100 + 43)
#endif
#ifndef EISCONN
#define EISCONN (ESOCK_ERR_BASE + 0x100 + 44)
#endif
#ifndef EISDIR
#define EISDIR (ESOCK_ERR_BASE + 0x100 + 45)
#endif
#ifndef EISNAM
#define EISNAM (ESOCK_ERR_BASE + 0x100 + 46)
#endif
#ifndef EL2HLT
#define EL2HLT (ESOCK_ERR_BASE + 0x100 + 47)
#endif
#ifndef EL2NSYNC
#define EL2NSYNC (ESOCK_ERR_BASE + 0x100 + 48)
#endif
#ifndef EL3HLT
#define EL3HLT (ESOCK_ERR_BASE + 0x100 + 49)
#endif
#ifndef EL3RST
#define EL3RST (ESOCK_ERR_BASE + 0x100 + 50)
#endif
#ifndef ELBIN
#define ELBIN (ESOCK_ERR_BASE + 0x100 + 51)
#endif
#ifndef ELIBACC
#define ELIBACC (ESOCK_ERR_BASE + 0x100 + 52)
#endif
#ifndef ELIBBAD
#define ELIBBAD (ESOCK_ERR_BASE + 0x100 + 53)
#endif
#ifndef ELIBEXEC
#define ELIBEXEC (ESOCK_ERR_BASE + 0x100 + 54)
#endif
#ifndef ELIBMAX
#define ELIBMAX (ESOCK_ERR_BASE + 0x100 + 55)
#endif
#ifndef ELIBSCN
#define ELIBSCN (ESOCK_ERR_BASE + 0x100 + 56)
#endif
#ifndef ELNRNG
#define ELNRNG (ESOCK_ERR_BASE + 0x100 + 57)
#endif
#ifndef ELOOP
#define ELOOP (ESOCK_ERR_BASE + 0x100 + 58)
#endif
#ifndef EMFILE
#define EMFILE (ESOCK_ERR_BASE + 0x100 + 59)
#endif
#ifndef EMLINK
#define EMLINK (ESOCK_ERR_BASE + 0x100 + 60)
#endif
#ifndef EMSGSIZE
#define EMSGSIZE (ESOCK_ERR_BASE + 0x100 + 61)
#endif
#ifndef EMULTIHOP
#define EMULTIHOP (ESOCK_ERR_BASE + 0x100 + 62)
#endif
#ifndef ENAMETOOLONG
#define ENAMETOOLONG (ESOCK_ERR_BASE + 0x100 + 63)
#endif
#ifndef ENAVAIL
#define ENAVAIL (ESOCK_ERR_BASE + 0x100 + 64)
#endif
#ifndef ENET
#define ENET (ESOCK_ERR_BASE + 0x100 + 65)
#endif
#ifndef ENETDOWN
#define ENETDOWN (ESOCK_ERR_BASE + 0x100 + 66)
#endif
#ifndef ENETRESET
#define ENETRESET (ESOCK_ERR_BASE + 0x100 + 67)
#endif
#ifndef ENETUNREACH
#define ENETUNREACH (ESOCK_ERR_BASE + 0x100 + 68)
#endif
#ifndef ENFILE
#define ENFILE (ESOCK_ERR_BASE + 0x100 + 69)
#endif
#ifndef ENOANO
#define ENOANO (ESOCK_ERR_BASE + 0x100 + 70)
#endif
#ifndef ENOBUFS
#define ENOBUFS (ESOCK_ERR_BASE + 0x100 + 71)
#endif
#ifndef ENOCSI
#define ENOCSI (ESOCK_ERR_BASE + 0x100 + 72)
#endif
#ifndef ENODATA
#define ENODATA (ESOCK_ERR_BASE + 0x100 + 73)
#endif
#ifndef ENODEV
#define ENODEV (ESOCK_ERR_BASE + 0x100 + 74)
#endif
#ifndef ENOENT
#define ENOENT (ESOCK_ERR_BASE + 0x100 + 75)
#endif
#ifndef ENOEXEC
#define ENOEXEC (ESOCK_ERR_BASE + 0x100 + 76)
#endif
#ifndef ENOLCK
#define ENOLCK (ESOCK_ERR_BASE + 0x100 + 77)
#endif
#ifndef ENOLINK
#define ENOLINK (ESOCK_ERR_BASE + 0x100 + 78)
#endif
#ifndef ENOMEM
#define ENOMEM (ESOCK_ERR_BASE + 0x100 + 79)
#endif
#ifndef ENOMSG
#define ENOMSG (ESOCK_ERR_BASE + 0x100 + 80)
#endif
#ifndef ENONET
#define ENONET (ESOCK_ERR_BASE + 0x100 + 81)
#endif
#ifndef ENOPKG
#define ENOPKG (ESOCK_ERR_BASE + 0x100 + 82)
#endif
#ifndef ENOPROTOOPT
#define ENOPROTOOPT (ESOCK_ERR_BASE + 0x100 + 83)
#endif
#ifndef ENOSPC
#define ENOSPC (ESOCK_ERR_BASE + 0x100 + 84)
#endif
#ifndef ENOSR
#define ENOSR (ESOCK_ERR_BASE + 0x100 + 85)
#endif
#ifndef ENOSYM
#define ENOSYM (ESOCK_ERR_BASE + 0x100 + 86)
#endif
#ifndef ENOSYS
#define ENOSYS (ESOCK_ERR_BASE + 0x100 + 87)
#endif
#ifndef ENOTBLK
#define ENOTBLK (ESOCK_ERR_BASE + 0x100 + 88)
#endif
#ifndef ENOTCONN
#define ENOTCONN (ESOCK_ERR_BASE + 0x100 + 89)
#endif
#ifndef ENOTDIR
#define ENOTDIR (ESOCK_ERR_BASE + 0x100 + 90)
#endif
#ifndef ENOTEMPTY
#define ENOTEMPTY (ESOCK_ERR_BASE + 0x100 + 91)
#endif
#ifndef ENOTNAM
#define ENOTNAM (ESOCK_ERR_BASE + 0x100 + 92)
#endif
#ifndef ENOTSOCK
#define ENOTSOCK (ESOCK_ERR_BASE + 0x100 + 93)
#endif
#ifndef ENOTTY
#define ENOTTY (ESOCK_ERR_BASE + 0x100 + 94)
#endif
#ifndef ENOTUNIQ
#define ENOTUNIQ (ESOCK_ERR_BASE + 0x100 + 95)
#endif
#ifndef ENXIO
#define ENXIO (ESOCK_ERR_BASE + 0x100 + 96)
#endif
#ifndef EPERM
#define EPERM (ESOCK_ERR_BASE + 0x100 + 97)
#endif
#ifndef EPFNOSUPPORT
#define EPFNOSUPPORT (ESOCK_ERR_BASE + 0x100 + 98)
#endif
#ifndef EPIPE
#define EPIPE (ESOCK_ERR_BASE + 0x100 + 99)
#endif
#ifndef EPROCLIM
#define EPROCLIM (ESOCK_ERR_BASE + 0x100 + 100)
#endif
#ifndef EPROCUNAVAIL
#define EPROCUNAVAIL (ESOCK_ERR_BASE + 0x100 + 101)
#endif
#ifndef EPROGMISMATCH
#define EPROGMISMATCH (ESOCK_ERR_BASE + 0x100 + 102)
#endif
#ifndef EPROGUNAVAIL
#define EPROGUNAVAIL (ESOCK_ERR_BASE + 0x100 + 103)
#endif
#ifndef EPROTO
#define EPROTO (ESOCK_ERR_BASE + 0x100 + 104)
#endif
#ifndef EPROTONOSUPPORT
#define EPROTONOSUPPORT (ESOCK_ERR_BASE + 0x100 + 105)
#endif
#ifndef EPROTOTYPE
#define EPROTOTYPE (ESOCK_ERR_BASE + 0x100 + 106)
#endif
#ifndef ERANGE
#define ERANGE (ESOCK_ERR_BASE + 0x100 + 107)
#endif
#ifndef EREFUSED
#define EREFUSED (ESOCK_ERR_BASE + 0x100 + 108)
#endif
#ifndef EREMCHG
#define EREMCHG (ESOCK_ERR_BASE + 0x100 + 109)
#endif
#ifndef EREMDEV
#define EREMDEV (ESOCK_ERR_BASE + 0x100 + 110)
#endif
#ifndef EREMOTE
#define EREMOTE (ESOCK_ERR_BASE + 0x100 + 111)
#endif
#ifndef EREMOTEIO
#define EREMOTEIO (ESOCK_ERR_BASE + 0x100 + 112)
#endif
#ifndef EREMOTERELEASE
#define EREMOTERELEASE (ESOCK_ERR_BASE + 0x100 + 113)
#endif
#ifndef EROFS
#define EROFS (ESOCK_ERR_BASE + 0x100 + 114)
#endif
#ifndef ERPCMISMATCH
#define ERPCMISMATCH (ESOCK_ERR_BASE + 0x100 + 115)
#endif
#ifndef ERREMOTE
#define ERREMOTE (ESOCK_ERR_BASE + 0x100 + 116)
#endif
#ifndef ESHUTDOWN
#define ESHUTDOWN (ESOCK_ERR_BASE + 0x100 + 117)
#endif
#ifndef ESOCKTNOSUPPORT
#define ESOCKTNOSUPPORT (ESOCK_ERR_BASE + 0x100 + 118)
#endif
#ifndef ESPIPE
#define ESPIPE (ESOCK_ERR_BASE + 0x100 + 119)
#endif
#ifndef ESRCH
#define ESRCH (ESOCK_ERR_BASE + 0x100 + 120)
#endif
#ifndef ESRMNT
#define ESRMNT (ESOCK_ERR_BASE + 0x100 + 121)
#endif
#ifndef ESTALE
#define ESTALE (ESOCK_ERR_BASE + 0x100 + 122)
#endif
#ifndef ESUCCESS
#define ESUCCESS (ESOCK_ERR_BASE + 0x100 + 123)
#endif
#ifndef ETIME
#define ETIME (ESOCK_ERR_BASE + 0x100 + 124)
#endif
#ifndef ETIMEDOUT
#define ETIMEDOUT (ESOCK_ERR_BASE + 0x100 + 125)
#endif
#ifndef ETOOMANYREFS
#define ETOOMANYREFS (ESOCK_ERR_BASE + 0x100 + 126)
#endif
#ifndef ETXTBSY
#define ETXTBSY (ESOCK_ERR_BASE + 0x100 + 127)
#endif
#ifndef EUCLEAN
#define EUCLEAN (ESOCK_ERR_BASE + 0x100 + 128)
#endif
#ifndef EUNATCH
#define EUNATCH (ESOCK_ERR_BASE + 0x100 + 129)
#endif
#ifndef EUSERS
#define EUSERS (ESOCK_ERR_BASE + 0x100 + 130)
#endif
#ifndef EVERSION
#define EVERSION (ESOCK_ERR_BASE + 0x100 + 131)
#endif
#ifndef EWOULDBLOCK
#define EWOULDBLOCK (ESOCK_ERR_BASE + 0x100 + 132)
#endif
#ifndef EXDEV
#define EXDEV (ESOCK_ERR_BASE + 0x100 + 133)
#endif
#ifndef EXFULL
#define EXFULL (ESOCK_ERR_BASE + 0x100 + 134)
#endif
#ifndef EFTYPE
#define EFTYPE (ESOCK_ERR_BASE + 0x100 + 135)
#endif
#ifndef ENOSTR
#define ENOSTR (ESOCK_ERR_BASE + 0x100 + 136)
#endif
#ifndef EOVERFLOW
#define EOVERFLOW (ESOCK_ERR_BASE + 0x100 + 137)
#endif
#ifndef ENOTSUP
#define ENOTSUP (ESOCK_ERR_BASE + 0x100 + 138)
#endif
#ifndef EOPNOTSUPP
#define EOPNOTSUPP (ESOCK_ERR_BASE + 0x100 + 139)
#endif

/* X(atom, code, format_error text). The first row of a code names it, so
 * where Linux gives two atoms one errno the atom OTP's erl_errno_id returns
 * comes first: eagain, edeadlk, enotsup. */
#define ESOCK_ERRTAB(X) \
    X(e2big, (-E2BIG), "argument list too long") \
    X(eacces, (-EACCES), "permission denied") \
    X(eaddrinuse, (-EADDRINUSE), "address already in use") \
    X(eaddrnotavail, (-EADDRNOTAVAIL), "can't assign requested address") \
    X(eadv, (-EADV), "advertise error") \
    X(eafnosupport, (-EAFNOSUPPORT), "address family not supported by protocol family") \
    X(eagain, (-EAGAIN), "resource temporarily unavailable") \
    X(ealign, (-EALIGN), "EALIGN") \
    X(ealready, (-EALREADY), "operation already in progress") \
    X(ebade, (-EBADE), "bad exchange descriptor") \
    X(ebadf, (-EBADF), "bad file number") \
    X(ebadfd, (-EBADFD), "file descriptor in bad state") \
    X(ebadmsg, (-EBADMSG), "not a data message") \
    X(ebadr, (-EBADR), "bad request descriptor") \
    X(ebadrpc, (-EBADRPC), "RPC structure is bad") \
    X(ebadrqc, (-EBADRQC), "bad request code") \
    X(ebadslt, (-EBADSLT), "invalid slot") \
    X(ebfont, (-EBFONT), "bad font file format") \
    X(ebusy, (-EBUSY), "file busy") \
    X(echild, (-ECHILD), "no children") \
    X(echrng, (-ECHRNG), "channel number out of range") \
    X(ecomm, (-ECOMM), "communication error on send") \
    X(econnaborted, (-ECONNABORTED), "software caused connection abort") \
    X(econnrefused, (-ECONNREFUSED), "connection refused") \
    X(econnreset, (-ECONNRESET), "connection reset by peer") \
    X(edeadlk, (-EDEADLK), "resource deadlock avoided") \
    X(edeadlock, (-EDEADLOCK), "resource deadlock avoided") \
    X(edestaddrreq, (-EDESTADDRREQ), "destination address required") \
    X(edirty, (-EDIRTY), "mounting a dirty fs w/o force") \
    X(edom, (-EDOM), "math argument out of range") \
    X(edotdot, (-EDOTDOT), "cross mount point") \
    X(edquot, (-EDQUOT), "disk quota exceeded") \
    X(eduppkg, (-EDUPPKG), "duplicate package name") \
    X(eexist, (-EEXIST), "file already exists") \
    X(efault, (-EFAULT), "bad address in system call argument") \
    X(efbig, (-EFBIG), "file too large") \
    X(ehostdown, (-EHOSTDOWN), "host is down") \
    X(ehostunreach, (-EHOSTUNREACH), "host is unreachable") \
    X(eidrm, (-EIDRM), "identifier removed") \
    X(eilseq, (-EILSEQ), "unknown POSIX error") /* erl_errno_id names it; format_error has no text */ \
    X(einit, (-EINIT), "initialization error") \
    X(einprogress, (-EINPROGRESS), "operation now in progress") \
    X(eintr, (-EINTR), "interrupted system call") \
    X(einval, (-EINVAL), "invalid argument") \
    X(eio, (-EIO), "I/O error") \
    X(eisconn, (-EISCONN), "socket is already connected") \
    X(eisdir, (-EISDIR), "illegal operation on a directory") \
    X(eisnam, (-EISNAM), "is a name file") \
    X(el2hlt, (-EL2HLT), "level 2 halted") \
    X(el2nsync, (-EL2NSYNC), "level 2 not synchronized") \
    X(el3hlt, (-EL3HLT), "level 3 halted") \
    X(el3rst, (-EL3RST), "level 3 reset") \
    X(elbin, (-ELBIN), "ELBIN") \
    X(elibacc, (-ELIBACC), "cannot access a needed shared library") \
    X(elibbad, (-ELIBBAD), "accessing a corrupted shared library") \
    X(elibexec, (-ELIBEXEC), "cannot exec a shared library directly") \
    X(elibmax, (-ELIBMAX), "attempting to link in more shared libraries than system limit") \
    X(elibscn, (-ELIBSCN), ".lib section in a.out corrupted") \
    X(elnrng, (-ELNRNG), "link number out of range") \
    X(eloop, (-ELOOP), "too many levels of symbolic links") \
    X(emfile, (-EMFILE), "too many open files") \
    X(emlink, (-EMLINK), "too many links") \
    X(emsgsize, (-EMSGSIZE), "message too long") \
    X(emultihop, (-EMULTIHOP), "multihop attempted") \
    X(enametoolong, (-ENAMETOOLONG), "file name too long") \
    X(enavail, (-ENAVAIL), "not available") \
    X(enet, (-ENET), "ENET") \
    X(enetdown, (-ENETDOWN), "network is down") \
    X(enetreset, (-ENETRESET), "network dropped connection on reset") \
    X(enetunreach, (-ENETUNREACH), "network is unreachable") \
    X(enfile, (-ENFILE), "file table overflow") \
    X(enoano, (-ENOANO), "anode table overflow") \
    X(enobufs, (-ENOBUFS), "no buffer space available") \
    X(enocsi, (-ENOCSI), "no CSI structure available") \
    X(enodata, (-ENODATA), "no data available") \
    X(enodev, (-ENODEV), "no such device") \
    X(enoent, (-ENOENT), "no such file or directory") \
    X(enoexec, (-ENOEXEC), "exec format error") \
    X(enolck, (-ENOLCK), "no locks available") \
    X(enolink, (-ENOLINK), "link has be severed") \
    X(enomem, (-ENOMEM), "not enough memory") \
    X(enomsg, (-ENOMSG), "no message of desired type") \
    X(enonet, (-ENONET), "machine is not on the network") \
    X(enopkg, (-ENOPKG), "package not installed") \
    X(enoprotoopt, (-ENOPROTOOPT), "bad proocol option") \
    X(enospc, (-ENOSPC), "no space left on device") \
    X(enosr, (-ENOSR), "out of stream resources or not a stream device") \
    X(enosym, (-ENOSYM), "unresolved symbol name") \
    X(enosys, (-ENOSYS), "function not implemented") \
    X(enotblk, (-ENOTBLK), "block device required") \
    X(enotconn, (-ENOTCONN), "socket is not connected") \
    X(enotdir, (-ENOTDIR), "not a directory") \
    X(enotempty, (-ENOTEMPTY), "directory not empty") \
    X(enotnam, (-ENOTNAM), "not a name file") \
    X(enotsock, (-ENOTSOCK), "socket operation on non-socket") \
    X(enotty, (-ENOTTY), "inappropriate device for ioctl") \
    X(enotuniq, (-ENOTUNIQ), "name not unique on network") \
    X(enxio, (-ENXIO), "no such device or address") \
    X(eperm, (-EPERM), "not owner") \
    X(epfnosupport, (-EPFNOSUPPORT), "protocol family not supported") \
    X(epipe, (-EPIPE), "broken pipe") \
    X(eproclim, (-EPROCLIM), "too many processes") \
    X(eprocunavail, (-EPROCUNAVAIL), "bad procedure for program") \
    X(eprogmismatch, (-EPROGMISMATCH), "program version wrong") \
    X(eprogunavail, (-EPROGUNAVAIL), "RPC program not available") \
    X(eproto, (-EPROTO), "protocol error") \
    X(eprotonosupport, (-EPROTONOSUPPORT), "protocol not supported") \
    X(eprototype, (-EPROTOTYPE), "protocol wrong type for socket") \
    X(erange, (-ERANGE), "math result unrepresentable") \
    X(erefused, (-EREFUSED), "EREFUSED") \
    X(eremchg, (-EREMCHG), "remote address changed") \
    X(eremdev, (-EREMDEV), "remote device") \
    X(eremote, (-EREMOTE), "pathname hit remote file system") \
    X(eremoteio, (-EREMOTEIO), "remote i/o error") \
    X(eremoterelease, (-EREMOTERELEASE), "EREMOTERELEASE") \
    X(erofs, (-EROFS), "read-only file system") \
    X(erpcmismatch, (-ERPCMISMATCH), "RPC version is wrong") \
    X(erremote, (-ERREMOTE), "object is remote") \
    X(eshutdown, (-ESHUTDOWN), "can't send after socket shutdown") \
    X(esocktnosupport, (-ESOCKTNOSUPPORT), "socket type not supported") \
    X(espipe, (-ESPIPE), "invalid seek") \
    X(esrch, (-ESRCH), "no such process") \
    X(esrmnt, (-ESRMNT), "srmount error") \
    X(estale, (-ESTALE), "stale remote file handle") \
    X(esuccess, (-ESUCCESS), "Error 0") \
    X(etime, (-ETIME), "timer expired") \
    X(etimedout, (-ETIMEDOUT), "connection timed out") \
    X(etoomanyrefs, (-ETOOMANYREFS), "too many references: can't splice") \
    X(etxtbsy, (-ETXTBSY), "text file or pseudo-device busy") \
    X(euclean, (-EUCLEAN), "structure needs cleaning") \
    X(eunatch, (-EUNATCH), "protocol driver not attached") \
    X(eusers, (-EUSERS), "too many users") \
    X(eversion, (-EVERSION), "version mismatch") \
    X(ewouldblock, (-EWOULDBLOCK), "operation would block") \
    X(exdev, (-EXDEV), "cross-domain link") \
    X(exfull, (-EXFULL), "message tables full") \
    X(nxdomain, ESOCK_ENXDOMAIN, "non-existing domain") \
    X(exbadport, ESOCK_EXBADPORT, "invalid port state") \
    X(system_limit, ESOCK_ESYSTEM_LIMIT, "a system limit was hit, probably not enough ports") \
    X(eftype, (-EFTYPE), "EFTYPE") \
    X(enostr, (-ENOSTR), "not a stream") \
    X(eoverflow, (-EOVERFLOW), "offset too large for file system") \
    X(exbadseq, ESOCK_EXBADSEQ, "bad command sequence") \
    X(enotsup, (-ENOTSUP), "operation not supported") \
    X(eopnotsupp, (-EOPNOTSUPP), "operation not supported on socket") \
    X(timeout, ESOCK_ETIMEOUT, "unknown POSIX error") \
    X(closed, ESOCK_ECLOSED, "unknown POSIX error") \
    X(already, ESOCK_EALREADY_OP, "unknown POSIX error") \
    X(badarg, ESOCK_EBADARG, "unknown POSIX error") \
    X(invalid, ESOCK_EINVALID, "unknown POSIX error") \
    X(invalid_domain, ESOCK_EINVAL_DOMAIN, "unknown POSIX error") \
    X(invalid_type, ESOCK_EINVAL_TYPE, "unknown POSIX error") \
    X(invalid_protocol, ESOCK_EINVAL_PROTOCOL, "unknown POSIX error") \
    X(invalid_sockaddr, ESOCK_EINVAL_ADDRESS, "unknown POSIX error") \
    X(invalid_socket_option, ESOCK_EINVAL_OPTION, "unknown POSIX error") \
    X(invalid_value, ESOCK_EINVAL_VALUE, "unknown POSIX error") \
    X(invalid_flag, ESOCK_EINVAL_FLAG, "unknown POSIX error") \
    X(invalid_select_info, ESOCK_EINVAL_SELECTINFO, "unknown POSIX error") \
    X(invalid_timeout, ESOCK_EINVAL_TIMEOUT, "unknown POSIX error") \
    X(invalid_length, ESOCK_EINVAL_LENGTH, "unknown POSIX error") \
    X(invalid_handle, ESOCK_EINVAL_HANDLE, "unknown POSIX error") \
    X(invalid_ioctl_request, ESOCK_EINVAL_REQUEST, "unknown POSIX error") \
    X(not_supported, ESOCK_ENOTSUP_OPTION, "unknown POSIX error") \
    /* end */
