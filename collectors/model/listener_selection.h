#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <regex>
#include <vector>

#include "model/listener_table.h"

namespace halfopen {

/// Ports from `first` to `last`, both included.
struct PortRange {
  std::uint16_t first = 0;
  std::uint16_t last = 0;
};

/// Which listeners get series of their own (the --collector.listeners.*
/// flags).
struct ListenerFilter {
  std::vector<PortRange> port_include;  ///< Empty: every port.
  std::vector<PortRange> port_exclude;
  /// Searched (anywhere in it, like grep) in the address as exported, e.g.
  /// "127.0.0.1" or "::". The defaults match every address and none.
  std::regex address_include{""};
  std::regex address_exclude{"^$"};
  /// Listeners past this many are folded into one "other" aggregate.
  std::size_t max_listeners = 200;
};

/// The listeners of a walk after filtering and capping.
struct ListenerSelection {
  /// The listeners that get series of their own, ordered by port, then
  /// family, address and device.
  std::vector<const Listener*> kept;
  /// The listeners past the cap, added up: sockets, lengths, limits and
  /// handshakes summed, max_fill the largest. Meaningful when some are
  /// folded.
  Listener other;
  std::vector<const Listener*> folded;  ///< The listeners in `other`.
  std::size_t excluded = 0;             ///< Listeners the filters left out.
};

/// Applies `filter` to `listeners`. When more pass than the cap allows, the
/// ones that matter are kept: queues full or nearly full (fill ≥ 0.9), with
/// orphaned handshakes, or that `recently_full` says were full between
/// scrapes first, then those with queued connections or handshakes, then
/// the rest by lowest port. So a full listener is never folded away unless
/// more full listeners than the cap exist. Pure.
ListenerSelection SelectListeners(
    const std::vector<Listener>& listeners, const ListenerFilter& filter,
    const std::function<bool(const Listener&)>& recently_full = nullptr);

/// True when `filter` lets `listener` have series of its own (the cap
/// aside).
bool PassesFilter(const Listener& listener, const ListenerFilter& filter);

/// True when `port` lies in one of `ranges`.
bool InPortRanges(const std::vector<PortRange>& ranges, std::uint16_t port);

}  // namespace halfopen
