#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/kernel_settings.h"
#include "model/socket_record.h"

namespace halfopen {

/// Why a connection is suspected of being half-open. Label values of
/// halfopen_suspects{reason} and halfopen_suspect_score{reason}; see
/// docs/suspicion-model.md for the evidence behind each.
enum class Reason {
  kRetransmitStall,
  kKeepaliveUnanswered,
  kZeroWindowStall,
  kHandshakeStalled,
  kAcceptQueueOrphan,
  kPeerMissing,
  kIdleUnprotected,
};
inline constexpr std::size_t kReasonCount = 7;

/// The label value, e.g. "retransmit_stall".
const char* ReasonLabel(Reason reason);

/// A connection judged suspect, with what its series' labels need. Built for
/// the top-K, whether the connection was decided on its own or as one end of
/// a local pair.
struct Suspect {
  Reason reason = Reason::kRetransmitStall;
  double score = 0;
  double eta_seconds = 0;
  std::uint8_t family = 0;
  std::uint8_t state = 0;
  Address local_address{};  ///< Zero unless addresses are kept.
  Address peer_address{};
  std::uint16_t local_port = 0;
  std::uint16_t peer_port = 0;
  /// What the model remembers the connection by between walks: its socket
  /// cookie, or for an end of a local pair a fingerprint of its 4-tuple.
  std::uint64_t id = 0;
  /// Connections folded into this one because they would render with the
  /// same labels (without addresses, clients on different hosts can share
  /// a port); the values above are the highest-scoring one's.
  std::uint32_t connections = 1;
  /// Seconds its evidence has persisted from walk to walk
  /// (SuspicionMemory): how long it has been suspect, as far as this
  /// exporter has seen. 0 for idle_unprotected, a risk that is not
  /// remembered.
  double age_seconds = 0;
};

/// Tunables of the per-connection rules.
struct ScoringConfig {
  /// ESTABLISHED with no timer and idle at least this long is
  /// idle_unprotected.
  double idle_threshold_seconds = 600;
};

/// A connection's strongest reason and its score in [0, 1]. score 0 means no
/// evidence (reason is then meaningless).
struct Verdict {
  Reason reason = Reason::kRetransmitStall;
  double score = 0;
};

/// The scores the kernel-visible evidence of one socket earns, each rule on
/// its own, before persistence (SuspicionTracker). Pure; monotone in every
/// piece of evidence. The probe and retransmission rules weigh unanswered
/// round trips against `round_trip_loss`, the chance that one fails on
/// this path if the peer is alive (more loss, less evidence per round trip;
/// see model/evidence.h). The local-pair reasons (peer_missing,
/// accept_queue_orphan) need the whole table and are decided by
/// SuspicionTracker.
double RetransmitStallScore(const SocketRecord& socket, double round_trip_loss);
double KeepaliveUnansweredScore(const SocketRecord& socket,
                                double round_trip_loss);
double ZeroWindowStallScore(const SocketRecord& socket, double round_trip_loss);
double HandshakeStalledScore(const SocketRecord& socket);
double IdleUnprotectedScore(const SocketRecord& socket,
                            const ScoringConfig& config);

/// Tunables of the model as a whole (flags --suspects.*).
struct SuspicionConfig {
  double threshold = 0.5;  ///< A connection is a suspect from this score on.
  std::size_t top_k = 10;  ///< How many suspects get their own series.
  /// Keep the addresses of local pairs (--suspects.expose-addresses); else
  /// their suspects carry ports only.
  bool keep_addresses = false;
  ScoringConfig scoring;
};

/// The results of one walk.
struct SuspicionSummary {
  std::array<std::uint64_t, kReasonCount> suspects{};  ///< By Reason.
  std::uint64_t idle_unprotected = 0;
  /// Highest score first, at most top_k, never two with the same labels:
  /// suspects that would share a series are folded into one (see
  /// Suspect::connections).
  std::vector<Suspect> top;
};

/// The score peer_missing and accept_queue_orphan give an ESTABLISHED end
/// whose counterpart on this host is gone.
inline constexpr double kLocalPeerGoneScore = 0.9;

/// The highest-scoring per-socket reason (ties: the first in Reason order).
Verdict ScoreSocket(const SocketRecord& socket, const ScoringConfig& config,
                    double round_trip_loss);

/// The run of unanswered round trips behind a verdict: the unanswered
/// probes of a keepalive or zero-window verdict, the lost send and its
/// unanswered retransmissions of a retransmit_stall one; else 0.
unsigned UnansweredBehind(const SocketRecord& socket, const Verdict& verdict);

/// The round-trip loss the connection's own record shows before its
/// current chain: its data (DataLoss of PastData) and, on Linux 6.7+, the
/// RTO chains it recovered from (RunLoss of PastStalls), the larger; 0
/// when the kernel sent neither.
double OwnRoundTripLoss(const SocketRecord& socket);

/// Seconds until the kernel gives up on this socket under `settings`, from
/// its timer: retransmission and zero-window probes from tcp_retries2's
/// time budget, keepalive from the remaining probes, SYN_SENT from the SYN
/// schedule; +infinity when no timer will ever end it (idle, no keepalive).
/// Per-socket overrides (TCP_USER_TIMEOUT, TCP_KEEPCNT …) are invisible.
double GiveUpEtaSeconds(const SocketRecord& socket,
                        const KernelSettings& settings);

/// True when the local end is established enough to be half-open.
bool IsEstablishedLike(const SocketRecord& socket);

}  // namespace halfopen
