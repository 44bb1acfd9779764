/*
 * src/opt/optsys.h - the platform headers that define option constants,
 * option structures and interface ioctls. Everything in src/opt includes
 * the OS through here, so a port has one place to adapt.
 */
#ifndef ESOCK_OPT_OPTSYS_H
#define ESOCK_OPT_OPTSYS_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <net/if.h>

#if defined(__linux__)
#include <net/if_arp.h>
#include <linux/sockios.h>
#include <linux/in6.h> /* IPV6_FLOWINFO; glibc does not have it */
#if defined(__has_include)
#if __has_include(<linux/sctp.h>)
#include <linux/sctp.h>
#define ESOCK_HAVE_SCTP_H 1
#endif
#endif
#elif defined(__has_include)
#if __has_include(<netinet/sctp.h>)
#include <netinet/sctp.h>
#define ESOCK_HAVE_SCTP_H 1
#endif
#endif

#ifndef SOL_SCTP
#define SOL_SCTP IPPROTO_SCTP
#endif

#endif
