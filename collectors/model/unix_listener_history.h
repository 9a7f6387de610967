#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/listener_history.h"
#include "model/unix_listener_selection.h"

namespace halfopen {

/// What a listener sampler remembers of one namespace's Unix listeners
/// between scrapes: per (name, type), how long a socket's queue was full
/// and the peak length over a sliding window, exactly as ListenerHistory
/// keeps them for TCP listeners (it does the keeping: a Unix listener is
/// entered in it under a key made of a 128-bit hash of its name and type,
/// so that a sample neither allocates nor formats a path). Pure; not
/// thread-safe.
class UnixListenerHistory {
 public:
  /// `peak_window_seconds` and `max_listeners` as ListenerHistory's.
  UnixListenerHistory(double peak_window_seconds, std::size_t max_listeners);

  void BeginSample(double now_seconds) { history_.BeginSample(now_seconds); }
  /// Adds one socket of the sample; not a listener (no queue): ignored.
  void Observe(const UnixSocketRecord& socket);
  void EndSample() { history_.EndSample(); }

  /// The observation of `listener` (zero for one never sampled).
  ListenerObservation Read(const UnixListener& listener,
                           double now_seconds) const;
  /// True when the sampler saw `listener` full within the peak window.
  bool RecentlyFull(const UnixListener& listener, double now_seconds) const;
  /// The observation of the listeners a scrape folded into path="other":
  /// every remembered one not in `kept` nor in `excluded` (those the path
  /// filters left out, UnixListenerSelection::left_out), as
  /// ListenerHistory::FoldOthers.
  ListenerObservation FoldOthers(
      const std::vector<const UnixListener*>& kept,
      const std::vector<const UnixListener*>& excluded, double now_seconds);

  std::uint64_t samples() const { return history_.samples(); }

 private:
  // The stand-in TCP listener a Unix one is kept as.
  static Listener StandIn(std::string_view name, std::uint8_t type);

  ListenerHistory history_;
};

}  // namespace halfopen
