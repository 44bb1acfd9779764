/*
 * inetpeer.h - an inet listener and a raw-descriptor peer connected to it,
 * for the suites that link the inet layer. (In the support archive: other
 * suites never pull this in.)
 */
#ifndef ESOCK_INETPEER_H
#define ESOCK_INETPEER_H

#include <esock/inet.h>

/* An inet listener on 127.0.0.1:0 with options o[0..n) and owner; its port
 * in *port. */
esock_inet_t inet_listener(const esock_inet_opt_t *o, size_t n, esock_mbox_t owner, uint16_t *port);

/* A fresh listener (*l), a raw peer connected to it (returned), and the
 * accepted inet socket (*a), accepted within 2 s. */
int inet_peer_pair(const esock_inet_opt_t *o, size_t n, esock_mbox_t owner, esock_inet_t *l,
                   esock_inet_t *a);

/* The same with the listener closed again: the accepted socket (*a) and its
 * raw peer (returned). */
int inet_peer_accepted(const esock_inet_opt_t *o, size_t n, esock_mbox_t owner, esock_inet_t *a);

#endif
