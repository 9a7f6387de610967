#include "model/listener_history.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace halfopen {
namespace {

// A listener not seen for this many peak windows (at least this many
// seconds) is forgotten: it closed, and its series may go.
constexpr double kForgetWindows = 2;
constexpr double kForgetSecondsAtLeast = 120;

}  // namespace

ListenerHistory::ListenerHistory(Config config)
    : config_(std::move(config)),
      bucket_seconds_(config_.peak_window_seconds / kPeakBuckets) {}

std::int64_t ListenerHistory::Bucket(double seconds) const {
  return static_cast<std::int64_t>(std::floor(seconds / bucket_seconds_));
}

void ListenerHistory::BeginSample(double now_seconds) {
  now_ = now_seconds;
  untracked_ = 0;
  ++serial_;
}

void ListenerHistory::Observe(const SocketRecord& socket) {
  if (socket.state != kTcpListen) return;
  const ListenerKey key = ListenerKey::Of(socket);
  auto found = groups_.find(key);
  if (found == groups_.end()) {
    if (groups_.size() >= config_.max_listeners) {
      ++untracked_;
      return;
    }
    Listener listener;
    listener.family = key.family;
    listener.address = key.address;
    listener.port = key.port;
    listener.device = key.device;
    Group group;
    group.passes_filter = PassesFilter(listener, config_.filter);
    group.last_bucket = Bucket(now_);
    found = groups_.emplace(key, group).first;
  }
  Group& group = found->second;
  if (group.seen_in != serial_) {
    group.seen_in = serial_;
    group.length = 0;
    group.full = false;
  }
  group.length += socket.rqueue;
  // The kernel's own test (sk_acceptq_is_full): a queue holds limit + 1.
  if (socket.rqueue > socket.wqueue) group.full = true;
}

void ListenerHistory::RecordPeak(Group& group, std::uint32_t length,
                                 double now) {
  const std::int64_t bucket = Bucket(now);
  if (bucket > group.last_bucket) {
    const std::int64_t clear_to =
        std::min<std::int64_t>(bucket, group.last_bucket + kPeakBuckets);
    for (std::int64_t i = group.last_bucket + 1; i <= clear_to; ++i) {
      group.bucket_peak[static_cast<std::size_t>(i % kPeakBuckets)] = 0;
    }
    group.last_bucket = bucket;
  }
  auto& peak = group.bucket_peak[static_cast<std::size_t>(group.last_bucket %
                                                          kPeakBuckets)];
  peak = std::max(peak, length);
}

std::uint32_t ListenerHistory::Peak(const Group& group, double now) const {
  const std::int64_t oldest = Bucket(now) - kPeakBuckets + 1;
  std::uint32_t peak = 0;
  for (std::int64_t i =
           std::max<std::int64_t>(oldest, group.last_bucket - kPeakBuckets + 1);
       i <= group.last_bucket; ++i) {
    peak = std::max(
        peak, group.bucket_peak[static_cast<std::size_t>(i % kPeakBuckets)]);
  }
  return peak;
}

void ListenerHistory::EndSample() {
  const double interval = samples_ > 0 ? std::max(0.0, now_ - previous_) : 0;
  const double forget_after = std::max(
      kForgetWindows * config_.peak_window_seconds, kForgetSecondsAtLeast);
  for (auto it = groups_.begin(); it != groups_.end();) {
    Group& group = it->second;
    const bool seen = group.seen_in == serial_;
    const bool full = seen && group.full;
    group.weight = (group.was_full ? 1 : 0) + (full ? 1 : 0);
    group.totals.full_seconds += interval * group.weight / 2.0;
    if (seen) {
      group.last_seen = now_;
      RecordPeak(group, group.length, now_);
    }
    if (full) group.last_full = now_;
    group.was_full = full;
    if (!seen && group.weight == 0 && now_ - group.last_seen > forget_after) {
      it = groups_.erase(it);
      continue;
    }
    ++it;
  }
  previous_ = now_;
  ++samples_;
}

ListenerObservation ListenerHistory::Read(const Listener& listener,
                                          double now_seconds) const {
  const auto found = groups_.find(ListenerKey::Of(listener));
  if (found == groups_.end()) return {};
  ListenerObservation observation = found->second.totals;
  observation.peak_length = Peak(found->second, now_seconds);
  return observation;
}

bool ListenerHistory::RecentlyFull(const Listener& listener,
                                   double now_seconds) const {
  const auto found = groups_.find(ListenerKey::Of(listener));
  return found != groups_.end() && found->second.last_full >= 0 &&
         now_seconds - found->second.last_full <= config_.peak_window_seconds;
}

ListenerObservation ListenerHistory::FoldOthers(
    const std::vector<const Listener*>& kept, double now_seconds) {
  std::unordered_set<ListenerKey, ListenerKeyHash> kept_keys;
  for (const Listener* listener : kept) {
    kept_keys.insert(ListenerKey::Of(*listener));
  }
  std::uint32_t peak = 0;
  for (auto& [key, group] : groups_) {
    if (group.passes_filter && !kept_keys.contains(key)) {
      other_.full_seconds +=
          group.totals.full_seconds - group.folded_mark.full_seconds;
      peak = std::max(peak, Peak(group, now_seconds));
    }
    group.folded_mark = group.totals;
  }
  ListenerObservation other = other_;
  other.peak_length = peak;
  return other;
}

}  // namespace halfopen
