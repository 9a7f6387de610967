#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "model/address.h"
#include "model/suspicion.h"

namespace halfopen {

/// What the model remembers from walk to walk. For each connection that
/// shows evidence: since when, so that a score can require the evidence to
/// persist and rise with how long it has (a drop, or another reason, starts
/// the count again). For the peers of such connections: the loss their paths
/// have shown — completed runs of unanswered probes, and the retransmissions
/// of their other connections — so that unanswered probes are weighed
/// against it. Memory is O(connections with evidence + their peers), each
/// capped: a connection is forgotten when it closes or loses its evidence, a
/// peer kPeerMemorySeconds after it was last heard of. Pure: the caller
/// passes the time. Not thread-safe: one walk at a time.
class SuspicionMemory {
 public:
  static constexpr double kPeerMemorySeconds = 1800;
  static constexpr std::size_t kMaxConnections = 65536;
  static constexpr std::size_t kMaxPeers = 4096;

  /// Starts a walk at `now_seconds` (a monotonic clock).
  void BeginWalk(double now_seconds);

  /// Connection `id` (its socket cookie) shows evidence for `reason` at
  /// `level` (its score before persistence), with `probes` unanswered probes
  /// behind a probe-based reason (else 0), to `peer`. Returns the seconds the
  /// evidence has persisted: 0 when new, or when it dropped or changed
  /// reason. A connection that cannot be remembered (caps) gets 0.
  double Persist(std::uint64_t id, Reason reason, double level, unsigned probes,
                 const Address& peer);

  /// True when connection `id` is remembered. Cheap when none is.
  bool Remembers(std::uint64_t id) const;

  /// Connection `id` was seen without evidence: its peer answered. Probes
  /// it had left unanswered go into the peer's record as a completed run;
  /// the connection is forgotten.
  void Clear(std::uint64_t id);

  /// Lifetime data counters of a connection to `peer`: retransmitted and
  /// sent data segments. Pooled per remembered peer, for the next walk.
  void AddPeerData(const Address& peer, std::uint32_t retransmitted,
                   std::uint32_t sent);

  /// The round-trip loss the path to `peer` has shown (the larger of the
  /// probe runs' and the pooled data's estimates), 0 when nothing is known.
  double PeerRoundTripLoss(const Address& peer) const;

  /// Ends the walk: connections not seen in it closed and are forgotten
  /// (without counting as answered); so are peers not heard of for
  /// kPeerMemorySeconds.
  void EndWalk();

  std::size_t connections() const { return connections_.size(); }
  std::size_t peers() const { return peers_.size(); }

 private:
  struct Connection {
    Reason reason;
    double level;
    unsigned probes;
    double since;
    std::uint64_t walk;
    Address peer;
  };
  struct Peer {
    // Runs of unanswered probes that ended with an answer: probes lost after
    // the first of a run (each a failed try after a failure) and answers.
    double continued = 0;
    double answered = 0;
    // Data counters pooled in the walk under way, and in the last one.
    double retransmitted = 0, sent = 0;
    double last_retransmitted = 0, last_sent = 0;
    double heard = 0;  // When a connection to it last showed evidence.
  };
  struct AddressHash {
    std::size_t operator()(const Address& a) const;
  };

  void EndRun(const Connection& connection);

  double now_ = 0;
  std::uint64_t walk_ = 0;
  std::unordered_map<std::uint64_t, Connection> connections_;
  std::unordered_map<Address, Peer, AddressHash> peers_;
};

}  // namespace halfopen
