#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "collectors/sockdiag/socket_record.h"

namespace halfopen {

/// How a datagram of a dump reply ended.
enum class DatagramEnd {
  kMore,   ///< More datagrams follow.
  kDone,   ///< NLMSG_DONE: the dump (for this request) is complete.
  kError,  ///< NLMSG_ERROR or a DONE carrying an error; see *error.
};

/// Counts kept while parsing; callers add them up over a dump.
struct ParseCounts {
  std::uint64_t sockets = 0;    ///< Handed to the visitor.
  std::uint64_t malformed = 0;  ///< Skipped: bad lengths, short payloads.
  std::uint64_t foreign = 0;    ///< Skipped: wrong sequence number or port id.
};

/// Walks the netlink messages of one received datagram of an inet_diag dump,
/// checking every length, and hands each socket to `visitor`. `sequence` and
/// `port_id` are those of the request; other messages are skipped and
/// counted. A malformed message is skipped and counted; when its header
/// cannot be trusted the rest of the datagram is skipped too. Pure: no I/O,
/// no allocation per socket, no exceptions.
DatagramEnd ParseDiagDatagram(std::span<const std::uint8_t> datagram,
                              std::uint32_t sequence, std::uint32_t port_id,
                              SocketVisitor& visitor, ParseCounts* counts,
                              std::string* error);

/// "ENOENT (No such file or directory)" for errno 2: the name and the text.
std::string ErrnoName(int error_number);

}  // namespace halfopen
