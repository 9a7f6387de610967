#include "model/retransmit_chain.h"

#include <algorithm>
#include <cmath>

namespace halfopen {
namespace {

constexpr double kRtoMinSeconds = 0.2;  // TCP_RTO_MIN
constexpr double kRtoMaxSeconds = 120;  // TCP_RTO_MAX
// The longest a live peer may hold back its ACK (TCP_DELACK_MAX).
constexpr double kDelayedAckMaxSeconds = 0.2;
// Past this many doublings every RTO is at TCP_RTO_MAX.
constexpr int kMaxDoublings = 30;

bool InChain(const SocketRecord& socket) {
  return socket.timer == kTimerRetransmit &&
         socket.info.Has(TcpInfo::kRetransmits) && socket.info.retransmits > 0;
}

// The RTO armed after retransmission `index` (1-based) of a chain.
double RtoAfter(double base_rto, int index) {
  return std::min(base_rto * std::ldexp(1.0, std::min(index, kMaxDoublings)),
                  kRtoMaxSeconds);
}

double Seconds(std::uint32_t milliseconds) { return milliseconds / 1000.0; }

}  // namespace

double BaseRtoSeconds(const SocketRecord& socket) {
  if (!socket.info.Has(TcpInfo::kRto)) return kRtoMinSeconds;
  const int doublings =
      InChain(socket) ? std::min<int>(socket.info.retransmits, kMaxDoublings)
                      : 0;
  return std::max(kRtoMinSeconds,
                  socket.info.rto_us / 1e6 / std::ldexp(1.0, doublings));
}

double ChainSeconds(const SocketRecord& socket) {
  if (!InChain(socket) || !socket.info.Has(TcpInfo::kLastDataSent)) return 0;
  const double base_rto = BaseRtoSeconds(socket);
  double age = Seconds(socket.info.last_data_sent_ms);
  for (int i = socket.info.retransmits - 1; i >= 1; --i) {
    age += RtoAfter(base_rto, i);
  }
  return age;
}

unsigned UnansweredRetransmits(const SocketRecord& socket) {
  const TcpInfo& info = socket.info;
  if (!InChain(socket) || !info.Has(TcpInfo::kLastDataSent) ||
      !info.Has(TcpInfo::kLastAckRecv)) {
    return 0;
  }
  const double base_rto = BaseRtoSeconds(socket);
  const double silence = Seconds(info.last_ack_recv_ms);
  double age = Seconds(info.last_data_sent_ms);  // the last retransmission
  if (age > silence) return 0;
  // The kernel's own bound on a round trip, plus the peer's ACK delay.
  unsigned unanswered = age >= base_rto + kDelayedAckMaxSeconds ? 1 : 0;
  for (int i = info.retransmits - 1; i >= 1; --i) {
    age += RtoAfter(base_rto, i);
    if (age > silence) break;
    ++unanswered;
  }
  return unanswered;
}

DataRecord PastData(const SocketRecord& socket) {
  const TcpInfo& info = socket.info;
  if (!info.Has(TcpInfo::kDataSegsOut) || !info.Has(TcpInfo::kTotalRetrans)) {
    return {};
  }
  const double chain = InChain(socket) ? info.retransmits + 1.0 : 0;
  return {std::max(0.0, info.total_retrans - chain),
          std::max(0.0, info.data_segs_out - chain)};
}

RunRecord PastStalls(const SocketRecord& socket) {
  const TcpInfo& info = socket.info;
  if (!info.Has(TcpInfo::kTotalRto) ||
      !info.Has(TcpInfo::kTotalRtoRecoveries)) {
    return {};
  }
  const bool chain = InChain(socket);
  const double episodes =
      std::max(0.0, info.total_rto_recoveries - (chain ? 1.0 : 0.0));
  if (episodes == 0) return {};
  const double timeouts =
      std::max(0.0, info.total_rto - (chain ? info.retransmits : 0.0));
  double continued = std::max(0.0, timeouts - episodes);
  if (info.Has(TcpInfo::kTotalRtoTime)) {
    const double past_seconds =
        std::max(0.0, Seconds(info.total_rto_time_ms) - ChainSeconds(socket));
    const double spanned =
        std::log2(1 + past_seconds / episodes / BaseRtoSeconds(socket));
    continued = std::max(continued, episodes * (spanned - 1));
  }
  return {continued, episodes};
}

}  // namespace halfopen
