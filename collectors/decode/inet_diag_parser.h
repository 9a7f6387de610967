#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "model/socket_record.h"

namespace halfopen {

/// How a datagram of a dump reply ended.
enum class DatagramEnd {
  kMore,   ///< More datagrams follow.
  kDone,   ///< NLMSG_DONE: the dump (for this request) is complete.
  kError,  ///< NLMSG_ERROR or a DONE carrying an error; see DumpError.
};

/// The kernel's reason for ending a dump with an error.
struct DumpError {
  bool in_done = false;  ///< Carried by NLMSG_DONE rather than NLMSG_ERROR.
  int error_number = 0;  ///< A positive errno value.
};

/// Counts kept while parsing; callers add them up over a dump.
struct ParseCounts {
  std::uint64_t sockets = 0;    ///< Handed to the visitor.
  std::uint64_t malformed = 0;  ///< Skipped: bad lengths, short payloads.
  std::uint64_t foreign = 0;    ///< Skipped: wrong sequence number or port id.
  /// Datagrams that ended inside a message (also counted in malformed):
  /// whatever followed the cut is lost, so the dump is incomplete.
  std::uint64_t cut_short = 0;
};

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
