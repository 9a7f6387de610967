#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "model/address.h"
#include "model/evidence.h"
#include "model/suspicion.h"

namespace halfopen {

/// What the model remembers from walk to walk. For each connection that
/// shows evidence: since when, so that a score can require the evidence to
/// persist and rise with how long it has (a drop, or another reason, starts
/// the count again). For the peers of such connections: the loss their paths
/// have shown — completed runs of unanswered probes and retransmissions, and
/// the data and RTO records of all their connections — so that unanswered
/// round trips are weighed against it. Memory is O(connections with evidence +
/// their peers), each capped: a connection is forgotten when it closes or loses
/// its evidence, a peer kPeerMemorySeconds after it was last heard of. Pure:
/// the caller passes the time. Not thread-safe: one walk at a time.
class SuspicionMemory {
 public:
  static constexpr double kPeerMemorySeconds = 1800;
  static constexpr std::size_t kMaxConnections = 65536;
  static constexpr std::size_t kMaxPeers = 4096;

  /// Starts a walk at `now_seconds` (a monotonic clock).
  void BeginWalk(double now_seconds);

  /// Connection `id` (its socket cookie) shows evidence for `reason` at
  /// `level` (its score before persistence), with a run of `unanswered`
  /// round trips behind it (UnansweredBehind; 0 for reasons without one),
  /// to `peer`. Returns the seconds the evidence has persisted: 0 when new,
  /// or when it dropped (a shorter run, or a lower level for a reason
  /// without one) or changed reason. A connection that cannot be remembered
  /// (caps) gets 0.
  double Persist(std::uint64_t id, Reason reason, double level,
                 unsigned unanswered, const Address& peer);

  /// True when connection `id` is remembered. Cheap when none is.
  bool Remembers(std::uint64_t id) const;

  /// Connection `id` was seen without evidence: its peer answered. The run
  /// of probes it had left unanswered goes into the peer's record as a
  /// completed run (an RTO chain does not: only long ones are seen to end);
  /// the connection is forgotten.
  void Clear(std::uint64_t id);

  /// The record of a connection to `peer`: its data (PastData) and the RTO
  /// chains it recovered from (PastStalls). Pooled per remembered peer, for
  /// the next walk.
  void AddPeerData(const Address& peer, const DataRecord& data,
                   const RunRecord& stalls);

  /// The round-trip loss the path to `peer` has shown (the largest of the
  /// completed probe runs', the pooled data's and the pooled RTO chains'
  /// estimates), 0 when nothing is known.
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
    unsigned unanswered;
    double since;
    std::uint64_t walk;
    Address peer;
  };
  struct Peer {
    // Runs of unanswered probes that ended with an answer, as this exporter
    // saw them end.
    RunRecord runs;
    // Data and RTO records pooled in the walk under way, and in the last one.
    DataRecord data, last_data;
    RunRecord stalls, last_stalls;
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
