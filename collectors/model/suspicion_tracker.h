#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/host_pairs.h"
#include "model/kernel_settings.h"
#include "model/listener_table.h"
#include "model/local_pairs.h"
#include "model/suspicion.h"
#include "model/suspicion_memory.h"
#include "model/top_suspects.h"

namespace halfopen {

/// With --netns.scope=all: the namespace being walked, and where its
/// connections to the host's other namespaces are matched.
struct CrossNamespace {
  std::uint64_t netns = 0;
  HostPairs* pairs = nullptr;
};

/// Scores every connection of one streaming walk. Connections whose peer is
/// elsewhere are decided on the spot; those with both ends on this host wait
/// in a LocalPairTable until the walk ends, because their counterpart may
/// come later. Memory: O(K + local pairs).
class SuspicionTracker {
 public:
  /// `pairs` is cleared and used for this walk; the caller keeps it from
  /// walk to walk so that its memory is allocated once. `memory` is what the
  /// model remembers between walks; this walk happens at `now_seconds` (a
  /// monotonic clock). `listeners` is the walk's listener table, filled as
  /// the walk goes (listeners come first in a dump).
  SuspicionTracker(const SuspicionConfig& config,
                   const KernelSettings& settings,
                   const LocalAddresses& local_addresses,
                   const ListenerTable& listeners, LocalPairTable* pairs,
                   SuspicionMemory* memory, double now_seconds,
                   CrossNamespace cross = {});

  /// A socket of the walk. For a SYN_RECV request socket, `listener` is
  /// the listener it was attributed to (or nullptr).
  void OnSocket(const SocketRecord& socket, const Listener* listener);

  /// Decides the local pairs and returns the summary. Call once, at the end.
  SuspicionSummary Finish();

  /// The chance that a probe's round trip fails on the path to `peer` of
  /// `socket` if the peer is alive: the largest of the prior, the socket's
  /// own record (OwnRoundTripLoss), and what memory knows of the peer.
  double RoundTripLossTo(const SocketRecord& socket, const Address& peer) const;

 private:
  // Counts a suspect and offers it to the top K.
  void Count(const Suspect& suspect);
  // The verdict's score once weighed by how long its evidence has persisted
  // (remembering it), or as it is when there is none (forgetting it). Sets
  // *age_seconds to how long that is (0 when nothing is remembered).
  double Persisted(std::uint64_t id, const Verdict& verdict,
                   unsigned unanswered, const Address& peer,
                   double* age_seconds);

  const SuspicionConfig config_;
  const KernelSettings settings_;
  const LocalAddresses& local_addresses_;
  const ListenerTable& listeners_;
  LocalPairTable& pairs_;
  SuspicionMemory& memory_;
  TopSuspects top_;
  const CrossNamespace cross_;
  SuspicionSummary summary_;
};

}  // namespace halfopen
