#pragma once

#include <cstdint>
#include <span>

#include "decode/netlink_messages.h"
#include "model/unix_listener_table.h"

namespace halfopen {

/// Walks the netlink messages of one received datagram of a unix_diag dump
/// reply (SOCK_DIAG_BY_FAMILY for AF_UNIX with UDIAG_SHOW_NAME and
/// UDIAG_SHOW_RQLEN), checking every length, and hands each socket to
/// `visitor`. A message of another family (a recording of inet_diag bytes,
/// say) or whose attributes run past it is counted malformed and skipped;
/// otherwise as ParseDiagDatagram. Pure: no I/O, no allocation, no
/// exceptions; the record's name points into `datagram`.
DatagramEnd ParseUnixDiagDatagram(std::span<const std::uint8_t> datagram,
                                  std::uint32_t sequence, std::uint32_t port_id,
                                  UnixSocketVisitor& visitor,
                                  ParseCounts* counts, DumpError* error);

}  // namespace halfopen
