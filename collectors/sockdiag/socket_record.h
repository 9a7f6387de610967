#pragma once

#include <linux/tcp.h>

#include <array>
#include <cstddef>
#include <cstdint>

namespace halfopen {

/// TCP states as the kernel numbers them (include/net/tcp_states.h).
enum TcpState : std::uint8_t {
  kTcpEstablished = 1,
  kTcpSynSent = 2,
  kTcpSynRecv = 3,
  kTcpFinWait1 = 4,
  kTcpFinWait2 = 5,
  kTcpTimeWait = 6,
  kTcpClose = 7,
  kTcpCloseWait = 8,
  kTcpLastAck = 9,
  kTcpListen = 10,
  kTcpClosing = 11,
  kTcpNewSynRecv = 12,
};

/// idiag_timer values (net/ipv4/inet_diag.c, tcp_diag.c). Newer kernels add
/// more (5 = delayed ACK); anything unknown counts as "other".
enum DiagTimer : std::uint8_t {
  kTimerNone = 0,
  kTimerRetransmit = 1,
  kTimerKeepalive = 2,
  kTimerTimeWait = 3,
  kTimerPersist = 4,
};

/// One socket of an inet_diag dump, decoded into a fixed-size value: no heap,
/// safe to copy. Addresses are in network byte order; an IPv4 address uses
/// the first 4 bytes. Produced by the parser, consumed by the model.
struct SocketRecord {
  std::uint8_t family = 0;   ///< AF_INET or AF_INET6.
  std::uint8_t state = 0;    ///< TcpState, or an unknown value.
  std::uint8_t timer = 0;    ///< DiagTimer, or an unknown value.
  std::uint8_t retrans = 0;  ///< RTOs, SYN-ACK retries or probes (by timer).
  std::uint16_t local_port = 0;
  std::uint16_t peer_port = 0;
  std::array<std::uint8_t, 16> local_address{};
  std::array<std::uint8_t, 16> peer_address{};
  std::uint32_t expires_ms = 0;  ///< Until the timer fires.
  std::uint32_t rqueue = 0;      ///< LISTEN: accept-queue length; else bytes.
  std::uint32_t wqueue = 0;      ///< LISTEN: accept-queue limit; else bytes.
  std::uint32_t uid = 0;
  std::uint32_t inode = 0;
  std::uint64_t cookie = 0;

  /// tcp_info copied into a zeroed struct; only the first `info_length`
  /// bytes came from the kernel. Request sockets carry none.
  struct tcp_info info {};
  std::uint32_t info_length = 0;

  /// True when the kernel sent the tcp_info field at `offset` of `size`.
  bool HasInfoField(std::size_t offset, std::size_t size) const {
    return offset + size <= info_length;
  }
};

/// Whether the kernel sent tcp_info field `field` for record `record`.
#define HALFOPEN_HAS_TCPI(record, field)                  \
  (record).HasInfoField(offsetof(struct tcp_info, field), \
                        sizeof(((struct tcp_info*)nullptr)->field))

/// Consumes sockets as the parser decodes them. Called once per socket, on
/// the thread that runs the dump.
class SocketVisitor {
 public:
  virtual ~SocketVisitor() = default;
  virtual void OnSocket(const SocketRecord& socket) = 0;
};

}  // namespace halfopen
