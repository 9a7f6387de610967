#include "model/evidence.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace halfopen {
namespace {

struct Point {
  double decades;
  double score;
};

// Rising, linear between the points, flat after the last.
constexpr Point kScoreOfEvidence[] = {{0, 0},     {2, 0.05},  {3, 0.2},
                                      {4.4, 0.5}, {5.4, 0.8}, {6.5, 0.9},
                                      {8, 0.95},  {10, 0.97}};

// How many round trips, and data segments, the prior is worth.
constexpr double kRunPriorWeight = 5;
constexpr double kDataPriorWeight = 10;

}  // namespace

double RoundTripLoss(double one_way) {
  const double kept = 1 - std::clamp(one_way, 0.0, 1.0);
  return 1 - kept * kept;
}

double ProbeEvidence(unsigned probes, double round_trip_loss) {
  const double loss = std::clamp(round_trip_loss, 1e-6, 1.0);
  return -static_cast<double>(probes) * std::log10(loss);
}

double RunLoss(const RunRecord& runs) {
  if (runs.answered <= 0) return 0;
  const double prior = RoundTripLoss(kPriorOneWayLoss);
  return (runs.continued + prior * kRunPriorWeight) /
         (runs.continued + runs.answered + kRunPriorWeight);
}

double DataLoss(const DataRecord& data) {
  return std::min(1.0,
                  (data.retransmitted + kPriorOneWayLoss * kDataPriorWeight) /
                      (data.sent + kDataPriorWeight));
}

double EvidenceScore(double decades) {
  if (decades <= 0) return 0;
  for (std::size_t i = 1; i < std::size(kScoreOfEvidence); ++i) {
    const Point& low = kScoreOfEvidence[i - 1];
    const Point& high = kScoreOfEvidence[i];
    if (decades <= high.decades) {
      return low.score + (high.score - low.score) * (decades - low.decades) /
                             (high.decades - low.decades);
    }
  }
  return std::end(kScoreOfEvidence)[-1].score;
}

double PersistenceFactor(double seconds) {
  return 0.5 + 0.5 * std::clamp(seconds / kFullPersistenceSeconds, 0.0, 1.0);
}

}  // namespace halfopen
