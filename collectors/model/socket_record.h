#pragma once

#include <cstdint>
#include <optional>

#include "model/address.h"

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

/// The fields of the kernel's struct tcp_info that the model reads. A field
/// exists only when the kernel's tcp_info reached it (older kernels send a
/// shorter struct); a missing field is unknown, never zero.
struct TcpInfo {
  enum Field : std::uint16_t {
    kRetransmits = 1 << 0,         ///< tcpi_retransmits
    kProbes = 1 << 1,              ///< tcpi_probes
    kRto = 1 << 2,                 ///< tcpi_rto
    kLastDataSent = 1 << 3,        ///< tcpi_last_data_sent
    kLastDataRecv = 1 << 4,        ///< tcpi_last_data_recv
    kLastAckRecv = 1 << 5,         ///< tcpi_last_ack_recv
    kTotalRetrans = 1 << 6,        ///< tcpi_total_retrans
    kDataSegsOut = 1 << 7,         ///< tcpi_data_segs_out (Linux 4.6+)
    kTotalRto = 1 << 8,            ///< tcpi_total_rto (Linux 6.7+)
    kTotalRtoRecoveries = 1 << 9,  ///< tcpi_total_rto_recoveries (6.7+)
    kTotalRtoTime = 1 << 10,       ///< tcpi_total_rto_time (6.7+)
  };
  static constexpr std::uint16_t kAll = 0x7ff;

  std::uint16_t present = 0;     ///< Field bits the kernel sent.
  std::uint8_t retransmits = 0;  ///< Consecutive RTOs without progress.
  std::uint8_t probes = 0;       ///< Unanswered keepalive/zero-window probes.
  std::uint32_t rto_us = 0;
  std::uint32_t last_data_sent_ms = 0;
  std::uint32_t last_data_recv_ms = 0;
  std::uint32_t last_ack_recv_ms = 0;
  /// Segments retransmitted over the connection's life.
  std::uint32_t total_retrans = 0;
  /// Data segments sent over the connection's life.
  std::uint32_t data_segs_out = 0;
  /// Retransmission timeouts over the connection's life, handshake
  /// included; 16 bits in the kernel's struct, so it wraps.
  std::uint16_t total_rto = 0;
  /// RTO episodes: counted at the first timeout of each chain, so a
  /// connection in a chain counts the chain it is in.
  std::uint16_t total_rto_recoveries = 0;
  /// Milliseconds spent in RTO recovery (the kernel's loss state), the
  /// episode under way included.
  std::uint32_t total_rto_time_ms = 0;

  bool Has(Field field) const { return (present & field) != 0; }
};

/// One socket of an inet_diag dump, decoded into a fixed-size value: no heap,
/// safe to copy. Addresses are in network byte order; an IPv4 address uses
/// the first 4 bytes. Produced by the decoder, consumed by the model.
struct SocketRecord {
  std::uint8_t family = 0;   ///< kFamilyIpv4 or kFamilyIpv6.
  std::uint8_t state = 0;    ///< TcpState, or an unknown value.
  std::uint8_t timer = 0;    ///< DiagTimer, or an unknown value.
  std::uint8_t retrans = 0;  ///< RTOs, SYN-ACK retries or probes (by timer).
  std::uint16_t local_port = 0;
  std::uint16_t peer_port = 0;
  Address local_address{};
  Address peer_address{};
  std::uint32_t expires_ms = 0;  ///< Until the timer fires.
  std::uint32_t rqueue = 0;      ///< LISTEN: accept-queue length; else bytes.
  std::uint32_t wqueue = 0;      ///< LISTEN: accept-queue limit; else bytes.
  /// The interface index of SO_BINDTODEVICE, 0 when not bound to one.
  std::uint32_t bound_interface = 0;
  /// The socket's inode (as /proc/<pid>/fd/* links name it); 0 for request
  /// sockets.
  std::uint32_t inode = 0;
  /// The kernel's identifier of the socket for its lifetime (idiag_cookie):
  /// what the model remembers connections by from one walk to the next.
  std::uint64_t cookie = 0;
  /// Request sockets (SYN_RECV handshakes) carry no tcp_info: info.present 0.
  TcpInfo info;
  /// The socket's own drop count (sk_drops, from INET_DIAG_SKMEMINFO), when
  /// the dump asked for it and the kernel sent it. For a listener: each
  /// connection attempt it dropped, see docs/architecture.md. Wraps at 2^32.
  std::optional<std::uint32_t> drops;
};

/// Consumes sockets as the decoder produces them. Called once per socket, on
/// the thread that runs the dump.
class SocketVisitor {
 public:
  virtual ~SocketVisitor() = default;
  virtual void OnSocket(const SocketRecord& socket) = 0;
};

}  // namespace halfopen
