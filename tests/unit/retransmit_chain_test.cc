#include "model/retransmit_chain.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "model/evidence.h"
#include "model/suspicion.h"

namespace halfopen {
namespace {

// The kernel's timeline for a send that a vanished peer never answers, as
// measured on a clean veth path (Linux 6.18): a tail-loss probe 200 ms
// after the send, the first RTO one base RTO later, then RTOs doubling.
// The peer last answered `acked_before` seconds before the send. The 6.7
// counters are set as the kernel sets them: the chain under way is the
// connection's only RTO episode.
struct DeadPeer {
  double base_rto = 0.204;
  double probe = 0.2;
  double acked_before = 0.05;

  SocketRecord At(double t) const {
    SocketRecord s;
    s.family = 2;
    s.state = kTcpEstablished;
    s.timer = kTimerRetransmit;
    s.info.present = TcpInfo::kAll;
    int r = 0;
    double first = probe + base_rto, last = 0;
    for (double fire = first; fire <= t;) {
      last = fire;
      ++r;
      fire += std::min(base_rto * std::ldexp(1.0, r), 120.0);
    }
    s.info.retransmits = static_cast<std::uint8_t>(r);
    s.retrans = s.info.retransmits;
    s.info.rto_us = static_cast<std::uint32_t>(
        std::min(base_rto * std::ldexp(1.0, r), 120.0) * 1e6);
    s.info.last_data_sent_ms = static_cast<std::uint32_t>((t - last) * 1000);
    s.info.last_ack_recv_ms =
        static_cast<std::uint32_t>((t + acked_before) * 1000);
    s.info.last_data_recv_ms = s.info.last_ack_recv_ms;
    s.info.total_retrans = r + (t >= probe && probe > 0 ? 1 : 0);
    s.info.data_segs_out = 3 + s.info.total_retrans;
    s.info.total_rto = static_cast<std::uint16_t>(r);
    s.info.total_rto_recoveries = r > 0 ? 1 : 0;
    s.info.total_rto_time_ms =
        r > 0 ? static_cast<std::uint32_t>((t - first) * 1000) : 0;
    return s;
  }
};

const double kCleanPath = RoundTripLoss(kPriorOneWayLoss);

// What the tracker weighs a connection with nothing known of its peer by.
double Score(const SocketRecord& socket) {
  return RetransmitStallScore(socket,
                              std::max(kCleanPath, OwnRoundTripLoss(socket)));
}

TEST(RetransmitChain, CountsTheRetransmissionsNoAckFollowed) {
  const DeadPeer peer;
  // RTOs fire 0.404, 0.812, 1.628, 3.260 and 6.524 s after the send; a
  // retransmission has failed once the next RTO fires or, for the last,
  // once it has waited the base RTO and a delayed ACK (0.404 s).
  const std::pair<double, unsigned> expected[] = {
      {0.3, 0}, {0.5, 0}, {0.7, 0}, {0.85, 1}, {1.3, 2}, {2.0, 2},
      {2.1, 3}, {3.3, 3}, {3.7, 4}, {6.6, 4},  {7.0, 5}, {20, 6}};
  for (const auto& [t, unanswered] : expected) {
    EXPECT_EQ(UnansweredRetransmits(peer.At(t)), unanswered) << t;
  }
  EXPECT_NEAR(ChainSeconds(peer.At(3.5)), 3.5 - 0.404, 0.002);
  EXPECT_NEAR(BaseRtoSeconds(peer.At(3.5)), 0.204, 1e-9);
}

TEST(RetransmitChain, AnAckPartWayCountsOnlyTheRetransmissionsAfterIt) {
  SocketRecord socket = DeadPeer().At(7.0);  // 5 RTOs, the last 0.48 s ago
  ASSERT_EQ(UnansweredRetransmits(socket), 5u);
  socket.info.last_ack_recv_ms = 2000;  // a duplicate ACK 2 s ago
  EXPECT_EQ(UnansweredRetransmits(socket), 1u);
  socket.info.last_ack_recv_ms = 300;  // after the last retransmission
  EXPECT_EQ(UnansweredRetransmits(socket), 0u);
}

TEST(RetransmitChain, WithoutTheFieldsItNeedsThereIsNoChain) {
  for (const TcpInfo::Field field :
       {TcpInfo::kRetransmits, TcpInfo::kLastDataSent, TcpInfo::kLastAckRecv}) {
    SocketRecord socket = DeadPeer().At(20);
    socket.info.present &= ~field;
    EXPECT_EQ(UnansweredRetransmits(socket), 0u) << field;
  }
  SocketRecord probe_timer = DeadPeer().At(20);
  probe_timer.timer = kTimerPersist;
  EXPECT_EQ(UnansweredRetransmits(probe_timer), 0u);
}

TEST(RetransmitChain, CleanPathReachesPointEightAtTheFourthFailedRetry) {
  // 4 failed retries on a path with no record: 4 × 1.40 = 5.6 decades.
  // At the minimum RTO that is 3.26 + 0.4 s after the lost send: inside
  // the 5 s the model promises, and 3 failed retries stay below 0.5.
  for (const double probe : {0.0, 0.2}) {
    DeadPeer peer;
    peer.probe = probe;
    double first_half = -1, first_point_eight = -1;
    for (double t = 0; t < 10 && first_point_eight < 0; t += 0.01) {
      const double score = Score(peer.At(t));
      if (score >= 0.5 && first_half < 0) first_half = t;
      if (score >= 0.8) first_point_eight = t;
    }
    EXPECT_EQ(first_half, first_point_eight) << probe;
    EXPECT_GT(first_point_eight, 3.0) << probe;
    EXPECT_LT(first_point_eight, 3.8) << probe;
    EXPECT_NEAR(Score(peer.At(first_point_eight)), 0.82, 0.01);
  }
}

TEST(RetransmitChain, ScoreNeverFallsWhileThePeerStaysSilent) {
  for (const double base_rto : {0.2, 0.204, 0.55, 1.3}) {
    for (const double probe : {0.0, 0.2}) {
      for (const double loss :
           {kCleanPath, RoundTripLoss(0.1), RoundTripLoss(0.2)}) {
        DeadPeer peer{base_rto, probe};
        double previous = 0;
        for (double t = 0; t < 300; t += 0.01) {
          const double score = RetransmitStallScore(peer.At(t), loss);
          ASSERT_GE(score, previous) << base_rto << " " << probe << " " << t;
          ASSERT_LE(score, 1);
          previous = score;
        }
        if (loss == kCleanPath) {
          EXPECT_GT(previous, 0.9) << base_rto;
        }
      }
    }
  }
}

TEST(RetransmitChain, MoreSilenceNeverLowersTheScore) {
  for (int r = 0; r < 14; ++r) {
    for (std::uint32_t sent_ms : {0u, 150u, 250u, 2000u}) {
      SocketRecord socket = DeadPeer().At(0);
      socket.info.retransmits = static_cast<std::uint8_t>(r);
      socket.info.rto_us = 200000u << std::min(r, 9);
      socket.info.last_data_sent_ms = sent_ms;
      double previous = 0;
      for (std::uint32_t silence = 0; silence < 300000; silence += 50) {
        socket.info.last_ack_recv_ms = silence;
        const double score = RetransmitStallScore(socket, kCleanPath);
        ASSERT_GE(score, previous) << r << " " << sent_ms << " " << silence;
        previous = score;
      }
    }
  }
}

TEST(RetransmitChain, MoreLossOnRecordNeverRaisesTheScore) {
  const SocketRecord dead = DeadPeer().At(7.0);
  const double base = Score(dead);
  EXPECT_GE(base, 0.8);
  double previous = base;
  for (std::uint32_t lost = 0; lost < 400; lost += 5) {
    SocketRecord socket = dead;
    socket.info.total_retrans += lost;
    socket.info.data_segs_out += 1000;
    const double score = Score(socket);
    ASSERT_LE(score, previous) << lost;
    previous = score;
  }
  previous = base;
  for (std::uint16_t continued = 0; continued < 60; ++continued) {
    SocketRecord socket = dead;
    socket.info.total_rto_recoveries += 10;  // ten chains recovered before
    socket.info.total_rto += 10 + continued;
    const double score = Score(socket);
    ASSERT_LE(score, previous) << continued;
    previous = score;
  }
  previous = base;
  for (std::uint32_t ms = 0; ms < 60000; ms += 100) {
    SocketRecord socket = dead;
    socket.info.total_rto_recoveries += 2;
    socket.info.total_rto += 2;
    socket.info.total_rto_time_ms += ms;
    const double score = Score(socket);
    ASSERT_LE(score, previous) << ms;
    previous = score;
  }
  EXPECT_LT(previous, 0.5);
}

TEST(RetransmitChain, TheChainUnderWayIsNotThePathsRecord) {
  const SocketRecord dead = DeadPeer().At(30);
  EXPECT_EQ(dead.info.retransmits, 7);
  const DataRecord data = PastData(dead);
  EXPECT_EQ(data.retransmitted, 0);
  EXPECT_EQ(data.sent, 3);
  const RunRecord stalls = PastStalls(dead);
  EXPECT_EQ(stalls.answered, 0);
  EXPECT_EQ(RunLoss(stalls), 0);
  EXPECT_EQ(OwnRoundTripLoss(dead), RoundTripLoss(DataLoss({0, 3})));
  EXPECT_LT(OwnRoundTripLoss(dead), kCleanPath);
}

TEST(RetransmitChain, RecoveredChainsAreRunsThatEndedAnswered) {
  SocketRecord socket = DeadPeer().At(1.0);  // 2 RTOs under way
  socket.info.total_rto += 30;               // 20 earlier chains, 30 RTOs
  socket.info.total_rto_recoveries += 20;
  const RunRecord stalls = PastStalls(socket);
  EXPECT_EQ(stalls.answered, 20);
  EXPECT_EQ(stalls.continued, 10);
  // Two chains that kept the kernel in recovery 6 s each span
  // log2(1 + 6 / 0.204) = 4.9 timeouts each, whatever the count says.
  SocketRecord slow = DeadPeer().At(0.1);  // no chain under way
  slow.info.total_rto = 2;
  slow.info.total_rto_recoveries = 2;
  slow.info.total_rto_time_ms = 12000;
  const RunRecord long_stalls = PastStalls(slow);
  EXPECT_EQ(long_stalls.answered, 2);
  EXPECT_NEAR(long_stalls.continued, 2 * (std::log2(1 + 6 / 0.204) - 1), 1e-9);
  // A 240-byte tcp_info (before Linux 6.7): unknown, not zero.
  slow.info.present &= ~(TcpInfo::kTotalRto | TcpInfo::kTotalRtoRecoveries |
                         TcpInfo::kTotalRtoTime);
  EXPECT_EQ(PastStalls(slow).answered, 0);
  slow.info.present &= ~TcpInfo::kDataSegsOut;
  EXPECT_EQ(PastData(slow).sent, 0);
  EXPECT_EQ(OwnRoundTripLoss(slow), 0);
}

TEST(RetransmitChain, LossierPathsNeedLongerChains) {
  // Failed retries needed for 0.5 and for 0.8: what docs/suspicion-model.md
  // tabulates.
  const struct {
    double one_way;
    unsigned half, point_eight;
  } rows[] = {{kPriorOneWayLoss, 4, 4},
              {0.04, 4, 5},
              {0.05, 5, 6},
              {0.10, 7, 8},
              {0.20, 10, 13}};
  for (const auto& row : rows) {
    const double q = RoundTripLoss(row.one_way);
    const auto score = [q](unsigned k) {
      return EvidenceScore(ProbeEvidence(k, q));
    };
    EXPECT_LT(score(row.half - 1), 0.5) << row.one_way;
    EXPECT_GE(score(row.half), 0.5) << row.one_way;
    EXPECT_LT(score(row.point_eight - 1), 0.8) << row.one_way;
    EXPECT_GE(score(row.point_eight), 0.8) << row.one_way;
  }
}

}  // namespace
}  // namespace halfopen
