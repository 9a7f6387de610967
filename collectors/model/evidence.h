#pragma once

namespace halfopen {

// How strong probe evidence is, and how it turns into a score. See
// docs/suspicion-model.md, "Probes against loss", for the arithmetic.

/// One-way packet loss assumed on a path the exporter knows nothing about
/// (2%), and the floor of every estimate.
inline constexpr double kPriorOneWayLoss = 0.02;

/// The chance that a probe's round trip fails on a live path that loses
/// `one_way` of its packets in each direction: 1 − (1 − one_way)².
double RoundTripLoss(double one_way);

/// How improbable `probes` unanswered probes in a row are from a live peer
/// when each round trip fails with probability `round_trip_loss`, in
/// decades: −log10(round_trip_loss ^ probes).
double ProbeEvidence(unsigned probes, double round_trip_loss);

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
