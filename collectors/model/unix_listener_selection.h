#pragma once

#include <cstddef>
#include <functional>
#include <regex>
#include <vector>

#include "model/unix_listener_table.h"

namespace halfopen {

/// Which Unix listeners get series of their own (the --collector.unix.*
/// flags).
struct UnixListenerFilter {
  /// Searched (anywhere in it, like grep) in the path as exported, e.g.
  /// "/run/php/php8.2-fpm.sock" or "@name". The defaults match every path
  /// and none.
  std::regex path_include{""};
  std::regex path_exclude{"^$"};
  /// Listeners past this many are folded into one path="other" aggregate.
  std::size_t max_listeners = 200;
};

/// The Unix listeners of a dump after filtering and capping.
struct UnixListenerSelection {
  /// The listeners with series of their own, ordered by path, then type.
  std::vector<const UnixListener*> kept;
  /// The listeners past the cap, added up: sockets, lengths and limits
  /// summed, max_fill the largest. Meaningful when some are folded.
  UnixListener other;
  std::vector<const UnixListener*> folded;    ///< The listeners in `other`.
  std::size_t excluded = 0;                   ///< Left out by the filters.
  std::vector<const UnixListener*> left_out;  ///< Those, one by one.
};

/// True when `filter` lets a listener exported as `path` have series of its
/// own (the cap aside).
bool PassesUnixFilter(const std::string& path,
                      const UnixListenerFilter& filter);

/// Applies `filter` to `listeners`, keeping, when more pass than the cap
/// allows, the ones that matter first, as for TCP listeners: full or nearly
/// full (fill ≥ 0.9), or that `recently_full` says were full between
/// scrapes; then those with queued connections; then the rest by path.
/// Pure.
UnixListenerSelection SelectUnixListeners(
    const std::vector<UnixListener>& listeners,
    const UnixListenerFilter& filter,
    const std::function<bool(const UnixListener&)>& recently_full = nullptr);

}  // namespace halfopen
