#include "model/suspicion.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "model/evidence.h"
#include "model/giveup.h"
#include "model/retransmit_chain.h"

namespace halfopen {
namespace {

// Score for a count of unanswered attempts: index = count, the last entry
// holds for every larger count. Each table rises, so the rules are monotone.
template <std::size_t N>
double FromTable(const double (&table)[N], unsigned count) {
  return table[std::min<std::size_t>(count, N - 1)];
}

// SYN retransmissions (1 s apart at first on Linux 6.5+).
constexpr double kHandshakeTable[] = {0, 0.35, 0.6, 0.75, 0.85, 0.9, 0.95};
// idle_unprotected is a risk, not evidence: always below the threshold.
constexpr double kIdleUnprotectedScore = 0.2;

constexpr double kInfinity = std::numeric_limits<double>::infinity();

double Seconds(std::uint32_t milliseconds) { return milliseconds / 1000.0; }

double RetransmitEta(const SocketRecord& socket, const KernelSettings& k) {
  const double budget = RetransmitGiveUpSeconds(k.tcp_retries2);
  if (!socket.info.Has(TcpInfo::kRto) ||
      !socket.info.Has(TcpInfo::kRetransmits)) {
    return budget;
  }
  const int r = socket.info.retransmits;
  if (r == 0) return budget;
  // After r back-offs the armed RTO is rto0 * 2^r; the first retransmission
  // went out rto0 * (2^r - 2) plus the part of the current RTO already gone.
  const double rto_now = socket.info.rto_us / 1e6;
  const double rto0 = rto_now / std::ldexp(1.0, std::min(r, 30));
  const double elapsed = rto0 * (std::ldexp(1.0, std::min(r, 30)) - 2) +
                         std::max(0.0, rto_now - Seconds(socket.expires_ms));
  return std::max(0.0, budget - elapsed);
}

unsigned Probes(const SocketRecord& socket) {
  return socket.info.Has(TcpInfo::kProbes) ? socket.info.probes
                                           : socket.retrans;
}

}  // namespace

const char* ReasonLabel(Reason reason) {
  switch (reason) {
    case Reason::kRetransmitStall:
      return "retransmit_stall";
    case Reason::kKeepaliveUnanswered:
      return "keepalive_unanswered";
    case Reason::kZeroWindowStall:
      return "zero_window_stall";
    case Reason::kHandshakeStalled:
      return "handshake_stalled";
    case Reason::kAcceptQueueOrphan:
      return "accept_queue_orphan";
    case Reason::kPeerMissing:
      return "peer_missing";
    case Reason::kIdleUnprotected:
      return "idle_unprotected";
  }
  return "unknown";
}

bool IsEstablishedLike(const SocketRecord& socket) {
  switch (socket.state) {
    case kTcpEstablished:
    case kTcpCloseWait:
    case kTcpFinWait1:
    case kTcpClosing:
    case kTcpLastAck:
      return true;
    default:
      return false;
  }
}

// Each retransmission that no ACK followed is a round trip that failed, and
// a live peer fails round_trip_loss of them: a chain is weighed like a run
// of unanswered probes.
double RetransmitStallScore(const SocketRecord& socket,
                            double round_trip_loss) {
  if (!IsEstablishedLike(socket)) return 0;
  return EvidenceScore(
      ProbeEvidence(UnansweredRetransmits(socket), round_trip_loss));
}

// A live peer answers each keepalive probe, and each zero-window probe
// (with a zero window when it does not read), within a round trip, and the
// answer resets the count: k unanswered in a row happen to it with
// probability loss^k.
double KeepaliveUnansweredScore(const SocketRecord& socket,
                                double round_trip_loss) {
  if (!IsEstablishedLike(socket) || socket.timer != kTimerKeepalive) return 0;
  return EvidenceScore(ProbeEvidence(Probes(socket), round_trip_loss));
}

double ZeroWindowStallScore(const SocketRecord& socket,
                            double round_trip_loss) {
  if (!IsEstablishedLike(socket) || socket.timer != kTimerPersist) return 0;
  return EvidenceScore(ProbeEvidence(Probes(socket), round_trip_loss));
}

unsigned UnansweredBehind(const SocketRecord& socket, const Verdict& verdict) {
  if (verdict.score <= 0) return 0;
  switch (verdict.reason) {
    case Reason::kKeepaliveUnanswered:
    case Reason::kZeroWindowStall:
      return Probes(socket);
    case Reason::kRetransmitStall:
      // The lost send that started the chain, then its failed retries.
      return UnansweredRetransmits(socket) + 1;
    default:
      return 0;
  }
}

double OwnRoundTripLoss(const SocketRecord& socket) {
  const DataRecord data = PastData(socket);
  const double from_data = data.sent > 0 ? RoundTripLoss(DataLoss(data)) : 0;
  return std::max(from_data, RunLoss(PastStalls(socket)));
}

double HandshakeStalledScore(const SocketRecord& socket) {
  if (socket.state != kTcpSynSent) return 0;
  return FromTable(kHandshakeTable, socket.retrans);
}

double IdleUnprotectedScore(const SocketRecord& socket,
                            const ScoringConfig& config) {
  if (socket.state != kTcpEstablished || socket.timer != kTimerNone ||
      !socket.info.Has(TcpInfo::kLastDataRecv)) {
    return 0;
  }
  const double idle = Seconds(
      std::min(socket.info.last_data_sent_ms, socket.info.last_data_recv_ms));
  return idle >= config.idle_threshold_seconds ? kIdleUnprotectedScore : 0;
}

Verdict ScoreSocket(const SocketRecord& socket, const ScoringConfig& config,
                    double round_trip_loss) {
  const std::pair<Reason, double> scores[] = {
      {Reason::kRetransmitStall, RetransmitStallScore(socket, round_trip_loss)},
      {Reason::kKeepaliveUnanswered,
       KeepaliveUnansweredScore(socket, round_trip_loss)},
      {Reason::kZeroWindowStall, ZeroWindowStallScore(socket, round_trip_loss)},
      {Reason::kHandshakeStalled, HandshakeStalledScore(socket)},
      {Reason::kIdleUnprotected, IdleUnprotectedScore(socket, config)},
  };
  Verdict verdict;
  for (const auto& [reason, score] : scores) {
    if (score > verdict.score) verdict = {reason, score};
  }
  return verdict;
}

double GiveUpEtaSeconds(const SocketRecord& socket,
                        const KernelSettings& settings) {
  if (socket.state == kTcpSynSent) {
    return SynRemainingSeconds(settings.tcp_syn_retries,
                               settings.tcp_syn_linear_timeouts, socket.retrans,
                               Seconds(socket.expires_ms));
  }
  switch (socket.timer) {
    case kTimerRetransmit:
      return RetransmitEta(socket, settings);
    case kTimerKeepalive:
      // In doubles: a sysctl of -2^31 must not overflow the subtraction,
      // and a negative one (no real kernel's) must not make time run back.
      return Seconds(socket.expires_ms) +
             std::max(0.0, static_cast<double>(settings.keepalive_probes) -
                               Probes(socket)) *
                 std::max(settings.keepalive_intvl_seconds, 0.0);
    case kTimerPersist:
      return std::max(0.0, RetransmitGiveUpSeconds(settings.tcp_retries2) -
                               RetransmitGiveUpSeconds(
                                   static_cast<int>(Probes(socket)) - 1));
    case kTimerTimeWait:
      return Seconds(socket.expires_ms);
    default:
      return kInfinity;
  }
}

}  // namespace halfopen
