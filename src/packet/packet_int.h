/* Internal interface between the framing (packet.c) and the HTTP line
 * parser (http.c) of the packet module. */
#ifndef ESOCK_PACKET_INT_H
#define ESOCK_PACKET_INT_H

#include <esock/packet.h>

/* Parses one complete HTTP packet (line(s) ending in '\n') into *h, as OTP's
 * HTTP callbacks would build the term. header_state: 0 = start line
 * (http/http_bin), 1 = header (httph/httph_bin). Never fails: what does not
 * parse becomes ESOCK_HTTP_ERROR. */
void esock__http_parse(const char *buf, size_t len, int header_state, esock_http_t *h);

#endif
