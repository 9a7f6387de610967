#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/kernel_settings.h"
#include "model/listener_table.h"
#include "model/local_pairs.h"
#include "model/suspicion.h"

namespace halfopen {

/// Tunables of the model as a whole (flags --suspects.*).
struct SuspicionConfig {
  double threshold = 0.5;  ///< A connection is a suspect from this score on.
  std::size_t top_k = 10;  ///< How many suspects get their own series.
  /// Keep the addresses of local pairs (--suspects.expose-addresses); else
  /// their suspects carry ports only.
  bool keep_addresses = false;
  ScoringConfig scoring;
};

/// The results of one walk.
struct SuspicionSummary {
  std::array<std::uint64_t, kReasonCount> suspects{};  ///< By Reason.
  std::uint64_t idle_unprotected = 0;
  /// Highest score first, at most top_k, never two with the same labels:
  /// suspects that would share a series are folded into one (see
  /// Suspect::connections).
  std::vector<Suspect> top;
};

/// Scores every connection of one streaming walk. Connections whose peer is
/// elsewhere are decided on the spot; those with both ends on this host wait
/// in a LocalPairTable until the walk ends, because their counterpart may
/// come later. Memory: O(K + local pairs).
class SuspicionTracker {
 public:
  /// `pairs` is cleared and used for this walk; the caller keeps it from
  /// walk to walk so that its memory is allocated once. `listeners` is the
  /// walk's listener table, filled as the walk goes (listeners come first in
  /// a dump).
  SuspicionTracker(const SuspicionConfig& config,
                   const KernelSettings& settings,
                   const LocalAddresses& local_addresses,
                   const ListenerTable& listeners, LocalPairTable* pairs);

  /// A socket of the walk. For a SYN_RECV request socket, `listener` is
  /// the listener it was attributed to (or nullptr).
  void OnSocket(const SocketRecord& socket, const Listener* listener);

  /// Decides the local pairs and returns the summary. Call once, at the end.
  SuspicionSummary Finish();

 private:
  // Counts a suspect and keeps it among the top K, folded into a kept one
  // that would render with the same labels.
  void Count(Suspect suspect);

  const SuspicionConfig config_;
  const KernelSettings settings_;
  const LocalAddresses& local_addresses_;
  const ListenerTable& listeners_;
  LocalPairTable& pairs_;
  SuspicionSummary summary_;
};

}  // namespace halfopen
