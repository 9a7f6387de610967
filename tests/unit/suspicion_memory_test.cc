#include "model/suspicion_memory.h"

#include <gtest/gtest.h>

#include "model/evidence.h"

namespace halfopen {
namespace {

const Address kPeer{192, 0, 2, 1};
const Address kOtherPeer{192, 0, 2, 2};

// One walk at `now` in which connection 7 shows keepalive evidence with
// `probes` unanswered probes; returns how long it has persisted.
double KeepaliveWalk(SuspicionMemory* memory, double now, unsigned probes) {
  memory->BeginWalk(now);
  const double seconds = memory->Persist(7, Reason::kKeepaliveUnanswered,
                                         0.1 * probes, probes, kPeer);
  memory->EndWalk();
  return seconds;
}

TEST(SuspicionMemory, EvidenceThatPersistsOrGrowsCountsItsTime) {
  SuspicionMemory memory;
  EXPECT_EQ(KeepaliveWalk(&memory, 100, 1), 0);
  EXPECT_EQ(KeepaliveWalk(&memory, 101, 2), 1);
  EXPECT_EQ(KeepaliveWalk(&memory, 103.5, 2), 3.5);
  EXPECT_EQ(memory.connections(), 1u);
}

TEST(SuspicionMemory, EvidenceThatDropsOrChangesReasonStartsAgain) {
  SuspicionMemory memory;
  KeepaliveWalk(&memory, 100, 3);
  EXPECT_EQ(KeepaliveWalk(&memory, 102, 1), 0);  // answered, then lost again
  memory.BeginWalk(104);
  EXPECT_EQ(memory.Persist(7, Reason::kRetransmitStall, 0.9, 0, kPeer), 0);
  memory.EndWalk();
}

TEST(SuspicionMemory, ClosedConnectionsAndClearedOnesAreForgotten) {
  SuspicionMemory memory;
  KeepaliveWalk(&memory, 100, 2);
  memory.BeginWalk(101);
  memory.Persist(8, Reason::kRetransmitStall, 0.5, 0, kPeer);
  memory.EndWalk();  // 7 was not seen: it closed
  EXPECT_FALSE(memory.Remembers(7));
  EXPECT_TRUE(memory.Remembers(8));
  memory.BeginWalk(102);
  memory.Clear(8);
  memory.EndWalk();
  EXPECT_FALSE(memory.Remembers(8));
  EXPECT_EQ(memory.connections(), 0u);
}

TEST(SuspicionMemory, RunsOfProbesThatEndAnsweredMeasureThePathsLoss) {
  SuspicionMemory memory;
  EXPECT_EQ(memory.PeerRoundTripLoss(kPeer), 0);  // unknown
  // Ten runs: each probe lost after a first loss, 3 times out of 13 tries.
  double now = 0;
  for (int run = 0; run < 10; ++run) {
    const unsigned length = run < 3 ? 2 : 1;
    KeepaliveWalk(&memory, now += 1, length);
    memory.BeginWalk(now += 1);
    memory.Clear(7);
    memory.EndWalk();
  }
  const double prior = RoundTripLoss(kPriorOneWayLoss);
  EXPECT_NEAR(memory.PeerRoundTripLoss(kPeer), (3 + 5 * prior) / (13 + 5),
              1e-12);
  EXPECT_NEAR(RunLoss({3, 10}), (3 + 5 * prior) / (13 + 5), 1e-12);
  EXPECT_EQ(memory.PeerRoundTripLoss(kOtherPeer), 0);
}

TEST(SuspicionMemory, AConnectionThatClosesDidNotAnswer) {
  SuspicionMemory memory;
  KeepaliveWalk(&memory, 0, 5);
  memory.BeginWalk(1);
  memory.EndWalk();  // gone: the kernel gave up, or the peer reset it
  EXPECT_EQ(memory.PeerRoundTripLoss(kPeer), 0);
}

TEST(SuspicionMemory, OtherConnectionsDataLossCountsFromTheNextWalk) {
  SuspicionMemory memory;
  KeepaliveWalk(&memory, 0, 1);  // the peer is now remembered
  memory.BeginWalk(1);
  memory.Persist(7, Reason::kKeepaliveUnanswered, 0.1, 1, kPeer);
  memory.AddPeerData(kPeer, {12, 100}, {});
  memory.AddPeerData(kPeer, {0, 900}, {});
  memory.AddPeerData(kOtherPeer, {50, 100}, {});  // not remembered: ignored
  EXPECT_EQ(memory.PeerRoundTripLoss(kPeer), 0);
  memory.EndWalk();
  EXPECT_NEAR(memory.PeerRoundTripLoss(kPeer),
              RoundTripLoss(DataLoss({12, 1000})), 1e-12);
  EXPECT_EQ(memory.PeerRoundTripLoss(kOtherPeer), 0);
}

TEST(SuspicionMemory, OtherConnectionsRtoChainsCountFromTheNextWalk) {
  SuspicionMemory memory;
  KeepaliveWalk(&memory, 0, 1);
  memory.BeginWalk(1);
  memory.Persist(7, Reason::kKeepaliveUnanswered, 0.1, 1, kPeer);
  // Two connections that recovered from 10 chains, 6 timeouts continued.
  memory.AddPeerData(kPeer, {}, {4, 6});
  memory.AddPeerData(kPeer, {}, {2, 4});
  memory.EndWalk();
  EXPECT_NEAR(memory.PeerRoundTripLoss(kPeer), RunLoss({6, 10}), 1e-12);
  memory.BeginWalk(2);
  memory.EndWalk();  // nothing pooled in this walk: forgotten
  EXPECT_EQ(memory.PeerRoundTripLoss(kPeer), 0);
}

TEST(SuspicionMemory,
     ARunsLevelMayMoveWithTheLossEstimateWithoutStartingAgain) {
  SuspicionMemory memory;
  memory.BeginWalk(10);
  EXPECT_EQ(memory.Persist(9, Reason::kRetransmitStall, 0.8, 5, kPeer), 0);
  memory.EndWalk();
  memory.BeginWalk(11);
  // The peer's record now shows more loss: a lower level, the same run.
  EXPECT_EQ(memory.Persist(9, Reason::kRetransmitStall, 0.6, 5, kPeer), 1);
  memory.EndWalk();
  memory.BeginWalk(12);
  // An ACK came back, and a new chain started: the evidence dropped.
  EXPECT_EQ(memory.Persist(9, Reason::kRetransmitStall, 0.9, 2, kPeer), 0);
  memory.EndWalk();
  // The answered chain is not the path's record: the memory sees only the
  // chains that lasted past a failed retry end.
  EXPECT_EQ(memory.PeerRoundTripLoss(kPeer), 0);
}

TEST(SuspicionMemory, PeersAreForgottenAfterHalfAnHour) {
  SuspicionMemory memory;
  KeepaliveWalk(&memory, 0, 1);
  memory.BeginWalk(1);
  memory.Clear(7);
  memory.EndWalk();
  EXPECT_EQ(memory.peers(), 1u);
  memory.BeginWalk(SuspicionMemory::kPeerMemorySeconds + 1);
  memory.EndWalk();
  EXPECT_EQ(memory.peers(), 0u);
}

TEST(Evidence, ScoreRisesWithEvidenceAndPersistence) {
  for (double decades = 0; decades < 12; decades += 0.05) {
    EXPECT_LE(EvidenceScore(decades), EvidenceScore(decades + 0.05));
  }
  EXPECT_NEAR(EvidenceScore(4.4), 0.5, 1e-12);
  EXPECT_NEAR(EvidenceScore(5.4), 0.8, 1e-12);
  EXPECT_EQ(PersistenceFactor(0), 0.5);
  EXPECT_EQ(PersistenceFactor(1), 0.75);
  EXPECT_EQ(PersistenceFactor(kFullPersistenceSeconds), 1);
  EXPECT_EQ(PersistenceFactor(600), 1);
  EXPECT_NEAR(ProbeEvidence(3, 0.01), 6, 1e-12);
  EXPECT_NEAR(RoundTripLoss(0.1), 0.19, 1e-12);
}

}  // namespace
}  // namespace halfopen
