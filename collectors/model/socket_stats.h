#pragma once

#include <array>
#include <cstdint>

#include "model/socket_record.h"

namespace halfopen {

/// Per-state, per-timer and per-retry counts over one walk of the socket
/// table, added up socket by socket. Fixed size: O(1) memory.
struct SocketStats {
  /// Index 1..11 is the TCP state; 0 counts unknown states. Request sockets
  /// (reported as SYN_RECV) count as syn_recv.
  std::array<std::uint64_t, 12> states{};
  /// Index by TimerIndex().
  std::array<std::uint64_t, 6> timers{};
  /// Connections whose tcpi_retransmits (consecutive RTOs) is 1, 2, 3, 4-7,
  /// 8 or more; those at 0 are not counted.
  std::array<std::uint64_t, 5> retransmits{};
  /// Connections whose tcpi_probes (unanswered keepalive or zero-window
  /// probes) is 1, 2, 3, 4-7, 8 or more.
  std::array<std::uint64_t, 5> probes{};
  std::uint64_t scanned = 0;

  void Add(const SocketRecord& socket);
};

/// Lowercase state name for SocketStats::states index i ("other" for 0).
const char* StateLabel(std::size_t i);

/// Timer label for SocketStats::timers index i: none, retransmit,
/// keepalive, time_wait, persist, other.
const char* TimerLabel(std::size_t i);

/// Bucket label for SocketStats::retransmits/probes index i: "1", "2", "3",
/// "4-7", "8+".
const char* CountBucketLabel(std::size_t i);

}  // namespace halfopen
