#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "model/listener_selection.h"
#include "model/socket_record.h"

namespace halfopen {

/// What the sampler saw of one listener (or of the folded "other" ones).
struct ListenerObservation {
  /// Seconds a member's queue was seen full (length greater than limit),
  /// each interval between two samples counted by how many of its two ends
  /// saw it full (half the interval for one end).
  double full_seconds = 0;
  /// The highest queue length (summed over the members) sampled within the
  /// peak window.
  std::uint32_t peak_length = 0;
};

/// What a listener sampler remembers of one network namespace's listeners
/// between scrapes: per listener, how long its queue was full and its peak
/// length over a sliding window (its drops are counted exactly by
/// ListenerDrops). Fed one sample at a time (BeginSample, Observe for every
/// LISTEN socket, EndSample); read at scrape time. Counters only grow, so any
/// number of scrapers may read. Allocates only when a listener appears that it
/// has not seen. Pure; not thread-safe.
class ListenerHistory {
 public:
  struct Config {
    /// The window of peak_length.
    double peak_window_seconds = 60;
    /// Listeners remembered at most; more are not sampled (a bound on
    /// memory for hosts with pathological numbers of listeners).
    std::size_t max_listeners = 65536;
    /// Which listeners the scrape may export (FoldOthers folds only those).
    ListenerFilter filter;
  };

  explicit ListenerHistory(Config config);

  /// Starts a sample taken at `now_seconds` (a steady clock). A sample
  /// started and never ended (its dump failed) is forgotten by the next.
  void BeginSample(double now_seconds);
  /// Adds one LISTEN socket of the sample.
  void Observe(const SocketRecord& socket);
  /// Ends the sample.
  void EndSample();

  /// The observation of `listener` (zero for one never sampled).
  ListenerObservation Read(const Listener& listener, double now_seconds) const;
  /// True when the sampler saw `listener` full within the peak window: the
  /// scrape keeps it among the listeners with series of their own.
  bool RecentlyFull(const Listener& listener, double now_seconds) const;

  /// The observation to export for the listeners a scrape folded into
  /// port="other": every remembered listener that passes the filter and
  /// is not in `kept`. Its counters grow by what such listeners added since
  /// the previous call, so they never go down however the folded set
  /// changes; its peak is the largest of theirs.
  ListenerObservation FoldOthers(const std::vector<const Listener*>& kept,
                                 double now_seconds);

  std::uint64_t samples() const { return samples_; }
  /// Listeners of the last sample left out because max_listeners were
  /// already remembered.
  std::uint64_t untracked() const { return untracked_; }
  std::size_t size() const { return groups_.size(); }

 private:
  static constexpr std::size_t kPeakBuckets = 60;

  struct Group {
    bool passes_filter = false;
    // The sample being taken.
    std::uint64_t seen_in = 0;  // Serial of the sample.
    std::uint32_t length = 0;   // Summed over the members.
    bool full = false;          // Some member's length > its limit.
    // From earlier samples.
    bool was_full = false;  // At the previous sample.
    int weight = 0;         // Samples of the last two that saw it full.
    double last_seen = 0;
    double last_full = -1;
    ListenerObservation totals;
    ListenerObservation folded_mark;  // Totals at the last FoldOthers.
    // Peak ring: the highest length per bucket of peak_window/kPeakBuckets,
    // bucket i at bucket_peak[i % kPeakBuckets], up to last_bucket.
    std::int64_t last_bucket = 0;
    std::array<std::uint32_t, kPeakBuckets> bucket_peak{};
  };

  std::int64_t Bucket(double seconds) const;
  void RecordPeak(Group& group, std::uint32_t length, double now);
  std::uint32_t Peak(const Group& group, double now) const;

  const Config config_;
  const double bucket_seconds_;
  std::unordered_map<ListenerKey, Group, ListenerKeyHash> groups_;
  std::uint64_t samples_ = 0;  // Ended.
  std::uint64_t serial_ = 0;   // Begun.
  double now_ = 0;
  double previous_ = 0;  // The previous sample's time.
  std::uint64_t untracked_ = 0;
  ListenerObservation other_;
};

}  // namespace halfopen
