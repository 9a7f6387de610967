#pragma once

#include <cstddef>
#include <vector>

#include "model/suspicion.h"

namespace halfopen {

/// The K best suspects of a walk (or of several put together), never two
/// that would render with the same labels: those are folded into one,
/// which keeps the better one's values and counts both connections. The
/// labels are reason, state and ports, plus the addresses (and so the
/// family) only when they are kept. Memory: O(K).
class TopSuspects {
 public:
  TopSuspects(std::size_t k, bool keep_addresses);

  /// Offers a suspect (its addresses are cleared when they are not kept).
  void Add(Suspect suspect);

  /// The kept suspects, best first: higher score, then sooner give-up, then
  /// the endpoints, so that equal scores rank the same on every scrape.
  std::vector<Suspect> Sorted() const;

 private:
  const std::size_t k_;
  const bool keep_addresses_;
  std::vector<Suspect> heap_;  // Its front is the worst kept suspect.
};

/// Two summaries of one namespace as one: counts added, and the top K of
/// both (folded as TopSuspects folds).
SuspicionSummary Merge(const SuspicionSummary& a, const SuspicionSummary& b,
                       const SuspicionConfig& config);

}  // namespace halfopen
