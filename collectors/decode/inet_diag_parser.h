#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "decode/netlink_messages.h"
#include "model/socket_record.h"

namespace halfopen {

/// Walks the netlink messages of one received datagram of an inet_diag dump,
/// checking every length, and hands each socket to `visitor`. `sequence` and
/// `port_id` are those of the request; other messages are skipped and
/// counted. A malformed message is skipped and counted; when its header
/// cannot be trusted the rest of the datagram is skipped too. On kError,
/// *error says what the kernel answered. Pure: no I/O, no allocation, no
/// exceptions.
DatagramEnd ParseDiagDatagram(std::span<const std::uint8_t> datagram,
                              std::uint32_t sequence, std::uint32_t port_id,
                              SocketVisitor& visitor, ParseCounts* counts,
                              DumpError* error);

}  // namespace halfopen
