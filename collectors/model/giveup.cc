#include "model/giveup.h"

#include <algorithm>

namespace halfopen {
namespace {

constexpr double kRtoMinSeconds = 0.2;     // TCP_RTO_MIN
constexpr double kRtoMaxSeconds = 120.0;   // TCP_RTO_MAX
constexpr double kTimeoutInitSeconds = 1;  // TCP_TIMEOUT_INIT

// The sum of `count` intervals that start at `first` and double, each capped
// at TCP_RTO_MAX.
double DoublingSum(double first, int count) {
  double total = 0;
  double interval = first;
  for (int i = 0; i < count; ++i) {
    total += std::min(interval, kRtoMaxSeconds);
    interval *= 2;
  }
  return total;
}

}  // namespace

double RetransmitGiveUpSeconds(int tcp_retries2) {
  return DoublingSum(kRtoMinSeconds, std::max(tcp_retries2, 0) + 1);
}

double KeepaliveGiveUpSeconds(double keepalive_time_seconds,
                              double keepalive_intvl_seconds,
                              int keepalive_probes) {
  return keepalive_time_seconds +
         keepalive_intvl_seconds * std::max(keepalive_probes, 0);
}

double SynAckGiveUpSeconds(int tcp_synack_retries) {
  return DoublingSum(kTimeoutInitSeconds, std::max(tcp_synack_retries, 0) + 1);
}

double SynGiveUpSeconds(int tcp_syn_retries, int tcp_syn_linear_timeouts) {
  const int linear = std::max(tcp_syn_linear_timeouts, 0);
  return kTimeoutInitSeconds * (linear + 1) +
         DoublingSum(2 * kTimeoutInitSeconds, std::max(tcp_syn_retries, 0));
}

double SynRemainingSeconds(int tcp_syn_retries, int tcp_syn_linear_timeouts,
                           int retransmits, double expires_seconds) {
  const int linear = std::max(tcp_syn_linear_timeouts, 0);
  const int last = std::max(tcp_syn_retries, 0) + linear;
  double remaining = std::max(expires_seconds, 0.0);
  for (int k = std::max(retransmits, 0) + 1; k <= last; ++k) {
    const double interval =
        k <= linear
            ? kTimeoutInitSeconds
            : std::min(kTimeoutInitSeconds * (1 << std::min(k - linear, 20)),
                       kRtoMaxSeconds);
    remaining += interval;
  }
  return remaining;
}

}  // namespace halfopen
