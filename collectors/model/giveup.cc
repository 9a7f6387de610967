#include "model/giveup.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace halfopen {
namespace {

constexpr double kRtoMinSeconds = 0.2;     // TCP_RTO_MIN
constexpr double kRtoMaxSeconds = 120.0;   // TCP_RTO_MAX
constexpr double kTimeoutInitSeconds = 1;  // TCP_TIMEOUT_INIT

// The sum of `count` intervals that start at `first` and double, each capped
// at TCP_RTO_MAX. Past the cap the sum grows linearly: a sysctl set to
// 2^31 - 1 costs a few steps, not two billion.
double DoublingSum(double first, std::int64_t count) {
  double total = 0;
  double interval = first;
  std::int64_t i = 0;
  for (; i < count && interval < kRtoMaxSeconds; ++i) {
    total += interval;
    interval *= 2;
  }
  return total + static_cast<double>(count - i) * kRtoMaxSeconds;
}

// A count from a sysctl or the wire: negative counts as none, and the
// arithmetic on it happens in 64 bits, where it cannot overflow.
std::int64_t Count(int value) { return std::max(value, 0); }

}  // namespace

double RetransmitGiveUpSeconds(int tcp_retries2) {
  return DoublingSum(kRtoMinSeconds, Count(tcp_retries2) + 1);
}

double KeepaliveGiveUpSeconds(double keepalive_time_seconds,
                              double keepalive_intvl_seconds,
                              int keepalive_probes) {
  // The kernel keeps both times at 1 s or more; a fixture's negative one
  // counts as none, so that no give-up time is ever negative.
  return std::max(keepalive_time_seconds, 0.0) +
         std::max(keepalive_intvl_seconds, 0.0) *
             static_cast<double>(Count(keepalive_probes));
}

double SynAckGiveUpSeconds(int tcp_synack_retries) {
  return DoublingSum(kTimeoutInitSeconds, Count(tcp_synack_retries) + 1);
}

double SynGiveUpSeconds(int tcp_syn_retries, int tcp_syn_linear_timeouts) {
  const std::int64_t linear = Count(tcp_syn_linear_timeouts);
  return kTimeoutInitSeconds * static_cast<double>(linear + 1) +
         DoublingSum(2 * kTimeoutInitSeconds, Count(tcp_syn_retries));
}

double SynRemainingSeconds(int tcp_syn_retries, int tcp_syn_linear_timeouts,
                           int retransmits, double expires_seconds) {
  // Retransmit k (1-based) waits 1 s while k <= linear, then 2^(k - linear)
  // seconds capped at TCP_RTO_MAX; the waits left are those of k in
  // (retransmits, last].
  const std::int64_t linear = Count(tcp_syn_linear_timeouts);
  const std::int64_t last = Count(tcp_syn_retries) + linear;
  const std::int64_t next = Count(retransmits) + 1;
  double remaining = std::max(expires_seconds, 0.0);
  const std::int64_t linear_left = std::min(last, linear) - next + 1;
  if (linear_left > 0) {
    remaining += kTimeoutInitSeconds * static_cast<double>(linear_left);
  }
  const std::int64_t first_doubling = std::max(next, linear + 1);
  if (last >= first_doubling) {
    const std::int64_t exponent =
        std::min<std::int64_t>(first_doubling - linear, 20);
    remaining += DoublingSum(
        kTimeoutInitSeconds * std::ldexp(1.0, static_cast<int>(exponent)),
        last - first_doubling + 1);
  }
  return remaining;
}

}  // namespace halfopen
