#pragma once

namespace halfopen {

// How strong evidence of unanswered round trips (probes, retransmissions)
// is, what the path's record says of its loss, and how evidence turns into
// a score. See docs/suspicion-model.md, "Probes against loss", for the
// arithmetic.

/// One-way packet loss assumed on a path the exporter knows nothing about
/// (2%), and the floor of every estimate.
inline constexpr double kPriorOneWayLoss = 0.02;

/// The chance that a probe's round trip fails on a live path that loses
/// `one_way` of its packets in each direction: 1 − (1 − one_way)².
double RoundTripLoss(double one_way);

/// How improbable `probes` unanswered probes (or retransmissions) in a row
/// are from a live peer when each round trip fails with probability
/// `round_trip_loss`, in decades: −log10(round_trip_loss ^ probes).
double ProbeEvidence(unsigned probes, double round_trip_loss);

/// Runs of unanswered round trips that ended with an answer: the round trips
/// lost after the first loss of a run (each a failed try after a failure),
/// and the answers that ended the runs.
struct RunRecord {
  double continued = 0;
  double answered = 0;
};

/// The round-trip loss a record of runs shows: a Beta estimate with a prior
/// worth five round trips at RoundTripLoss(kPriorOneWayLoss),
/// (continued + 5 × prior) / (continued + answered + 5); 0 when no run
/// ended. Rising in `continued`.
double RunLoss(const RunRecord& runs);

/// Data segments retransmitted and sent.
struct DataRecord {
  double retransmitted = 0;
  double sent = 0;
};

/// The one-way loss a data record shows: retransmitted over sent, with a
/// prior worth ten segments at kPriorOneWayLoss, so that a few segments
/// say little and thousands say what they measured. Rising in
/// `retransmitted`.
double DataLoss(const DataRecord& data);

/// The score of evidence of `decades` (see ProbeEvidence): 0.5 from 4.4 (a
/// live peer does it once in 25,000 tries), 0.8 from 5.4, rising to 0.97.
/// Rising, in [0, 0.97].
double EvidenceScore(double decades);

/// How much of its score a connection's evidence earns after it has
/// persisted (or grown) for `seconds` across scrapes: half when first seen,
/// all of it from kFullPersistenceSeconds on. Rising, in [0.5, 1].
double PersistenceFactor(double seconds);
inline constexpr double kFullPersistenceSeconds = 2;

}  // namespace halfopen
