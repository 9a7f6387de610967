#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <unordered_map>

#include "model/listener_table.h"

namespace halfopen {

/// One LISTEN socket's own drop count, as one dump saw it.
struct DropSample {
  ListenerKey key;
  std::uint64_t cookie = 0;  ///< idiag_cookie: the socket, for its lifetime.
  std::uint32_t drops = 0;   ///< sk_drops; wraps at 2^32.
};

/// The exact count of connection attempts each listener (a socket or an
/// SO_REUSEPORT group) dropped, from its member sockets' own counters
/// (sk_drops), kept as a counter that never goes down while the group
/// lives: a group's total is what its live members counted plus what its
/// departed members had counted when last seen. Members are known by
/// cookie, so one that closes takes nothing away, one that opens adds its
/// count, and a 32-bit counter that wraps keeps counting. Counts from
/// before the first dump are included, as with any kernel counter. Fed by
/// every complete LISTEN dump of one network namespace (the scrape's and
/// the listener sampler's); a group is forgotten once its last member has
/// departed. Allocates only for members it has not seen. Pure; not
/// thread-safe.
class ListenerDrops {
 public:
  /// A member missing from this many complete dumps in a row has closed.
  /// (A dump that runs while the table changes may miss a socket that is
  /// still there; counting it as departed and then as new would count its
  /// drops twice.)
  static constexpr int kMissedDumpsToDepart = 3;
  /// Members remembered at most, a bound on memory; the drops of sockets
  /// beyond it are not counted (see untracked()).
  static constexpr std::size_t kMaxMembers = 1 << 18;

  /// Applies one complete LISTEN dump that started at `started_seconds` (a
  /// clock every feeder shares, that only grows). A dump that started
  /// before one already applied is stale and is ignored, so that feeders on
  /// different threads may finish in any order.
  void Apply(std::span<const DropSample> samples, double started_seconds);

  /// The group's drops; nullopt when no dump has shown it.
  std::optional<std::uint64_t> Total(const ListenerKey& key) const;

  /// The drops of the listeners that a scrape folded into one series
  /// (port="other"): grows by what each of `folded` added since the
  /// previous call, and by the whole count of one first seen folded, so it
  /// never goes down however the folded set changes. Call it once per
  /// scrape, with an empty `folded` when nothing was folded, so that a
  /// listener that is folded later adds only what came after.
  std::uint64_t FoldOthers(std::span<const ListenerKey> folded);

  std::size_t groups() const { return groups_.size(); }
  std::size_t members() const { return members_.size(); }
  /// Sockets of the last applied dump left uncounted (kMaxMembers).
  std::size_t untracked() const { return untracked_; }

 private:
  struct Member {
    ListenerKey key;
    std::uint32_t last = 0;  // sk_drops when last seen.
    std::uint64_t seen_in = 0;
    int missed = 0;  // Complete dumps in a row without it.
  };
  struct Group {
    std::uint64_t total = 0;
    std::uint32_t members = 0;
    std::uint64_t folded_mark = 0;  // total at the last FoldOthers.
  };

  void See(const DropSample& sample);
  void Depart(std::uint64_t serial);

  std::unordered_map<std::uint64_t, Member> members_;  // By cookie.
  std::unordered_map<ListenerKey, Group, ListenerKeyHash> groups_;
  std::uint64_t serial_ = 0;
  double last_started_ = -std::numeric_limits<double>::infinity();
  std::uint64_t other_ = 0;
  std::size_t untracked_ = 0;
};

}  // namespace halfopen
