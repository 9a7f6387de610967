#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "decode/netlink_layout.h"

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

/// Decodes the payload of one socket message of a sock_diag dump (an
/// inet_diag_msg or a unix_diag_msg with its attributes).
class DiagMessageDecoder {
 public:
  virtual ~DiagMessageDecoder() = default;
  /// Returns false when the payload is malformed (it is then counted and
  /// skipped); true when it was handed on.
  virtual bool Decode(std::span<const std::uint8_t> payload) = 0;
};

/// Walks the netlink messages of one received datagram of a sock_diag dump
/// reply, checking every length, and hands each socket message addressed to
/// the request (`sequence`, `port_id`) to `decoder`. Other messages are
/// skipped and counted as foreign; a malformed one is skipped and counted,
/// and when its header cannot be trusted the rest of the datagram is
/// skipped too. On kError, *error says what the kernel answered. Pure: no
/// I/O, no allocation, no exceptions.
DatagramEnd WalkDiagDatagram(std::span<const std::uint8_t> datagram,
                             std::uint32_t sequence, std::uint32_t port_id,
                             DiagMessageDecoder& decoder, ParseCounts* counts,
                             DumpError* error);

/// Netlink's 4-byte alignment of messages and attributes.
constexpr std::size_t Align4(std::size_t length) { return (length + 3) & ~3u; }

/// Calls `visit(type, value)` for each attribute (struct rtattr) of
/// `payload` from `offset` on. Returns false when an attribute's length
/// runs past the payload or is shorter than its header.
template <typename Visit>
bool ForEachAttribute(std::span<const std::uint8_t> payload, std::size_t offset,
                      Visit&& visit) {
  offset = Align4(offset);
  while (offset + sizeof(wire::AttributeHeader) <= payload.size()) {
    wire::AttributeHeader attribute;
    std::memcpy(&attribute, payload.data() + offset, sizeof attribute);
    if (attribute.length < sizeof attribute ||
        attribute.length > payload.size() - offset) {
      return false;
    }
    visit(attribute.type, payload.subspan(offset + sizeof attribute,
                                          attribute.length - sizeof attribute));
    offset += Align4(attribute.length);
  }
  return true;
}

}  // namespace halfopen
