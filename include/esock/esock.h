/*
 * esock/esock.h - the whole esock API in one include.
 */
#ifndef ESOCK_ESOCK_H
#define ESOCK_ESOCK_H

#include <esock/common.h>
#include <esock/error.h>
#include <esock/addr.h>
#include <esock/packet.h>
#include <esock/mbox.h>
#include <esock/socket.h>
#include <esock/cmsg.h>
#include <esock/opt.h>
#include <esock/inet.h>
#include <esock/resolve.h>

#endif
