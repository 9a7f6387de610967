#include "model/suspicion.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "model/evidence.h"
#include "model/giveup.h"

namespace halfopen {
namespace {

// An ESTABLISHED connection with tcp_info, recently active, no timer.
SocketRecord Healthy() {
  SocketRecord socket;
  socket.family = 2;
  socket.state = kTcpEstablished;
  socket.timer = kTimerNone;
  socket.info.present = TcpInfo::kAll;
  socket.info.rto_us = 204000;
  socket.info.last_ack_recv_ms = 20;
  socket.info.last_data_recv_ms = 20;
  socket.info.last_data_sent_ms = 20;
  return socket;
}

// `retransmits` RTOs at the minimum RTO, the last 0.5 s ago (long enough
// for its answer to be overdue), and no ACK for `silence_ms`.
SocketRecord Stalled(unsigned retransmits, std::uint32_t silence_ms) {
  SocketRecord socket = Healthy();
  socket.timer = kTimerRetransmit;
  socket.info.retransmits = static_cast<std::uint8_t>(retransmits);
  socket.retrans = static_cast<std::uint8_t>(retransmits);
  socket.info.rto_us = 204000u << std::min(retransmits, 9u);
  socket.info.last_data_sent_ms = 500;
  socket.info.last_ack_recv_ms = silence_ms;
  return socket;
}

SocketRecord Probing(std::uint8_t timer, unsigned probes) {
  SocketRecord socket = Healthy();
  socket.timer = timer;
  socket.info.probes = static_cast<std::uint8_t>(probes);
  socket.retrans = static_cast<std::uint8_t>(probes);
  return socket;
}

SocketRecord Connecting(unsigned retransmits) {
  SocketRecord socket = Healthy();
  socket.state = kTcpSynSent;
  socket.timer = kTimerRetransmit;
  socket.retrans = static_cast<std::uint8_t>(retransmits);
  return socket;
}

const ScoringConfig kConfig;
// Probe round trips failing as on a path the exporter knows nothing about,
// and as on one that loses 10% of its packets each way (19%).
const double kCleanPath = RoundTripLoss(kPriorOneWayLoss);
const double kLossyPath = RoundTripLoss(0.10);

TEST(Suspicion, HealthyConnectionsScoreExactlyZero) {
  SocketRecord tail_loss_probe = Healthy();
  tail_loss_probe.timer = kTimerRetransmit;  // retransmits 0: a TLP
  SocketRecord listener = Healthy();
  listener.state = kTcpListen;
  SocketRecord time_wait = Healthy();
  time_wait.state = kTcpTimeWait;
  time_wait.timer = kTimerTimeWait;
  SocketRecord no_info = Stalled(5, 30000);
  no_info.info.present = 0;
  for (const SocketRecord& socket :
       {Healthy(), tail_loss_probe, Probing(kTimerKeepalive, 0),
        Probing(kTimerPersist, 0), Connecting(0), listener, time_wait,
        no_info}) {
    EXPECT_EQ(ScoreSocket(socket, kConfig, kCleanPath).score, 0);
  }
}

struct Case {
  const char* what;
  SocketRecord socket;
  Reason reason;
  bool suspect;  // score >= 0.5
};

TEST(Suspicion, EachReasonFiresOnItsEvidenceAndNotWithoutIt) {
  SocketRecord idle = Healthy();
  idle.info.last_data_recv_ms = idle.info.last_data_sent_ms = 3600000;
  SocketRecord idle_keepalive = idle;
  idle_keepalive.timer = kTimerKeepalive;
  const Case cases[] = {
      {"dead peer, 5 RTOs, 9 s silent", Stalled(5, 9000),
       Reason::kRetransmitStall, true},
      {"4 RTOs, 9 s silent", Stalled(4, 9000), Reason::kRetransmitStall, true},
      {"3 RTOs, 9 s silent", Stalled(3, 9000), Reason::kRetransmitStall, false},
      {"lossy: 4 RTOs, 2.4 s silent", Stalled(4, 2400),
       Reason::kRetransmitStall, false},
      {"lossy: 5 RTOs, 4.4 s silent", Stalled(5, 4400),
       Reason::kRetransmitStall, false},
      {"lossy: 2 RTOs", Stalled(2, 900), Reason::kRetransmitStall, false},
      {"lossy: 4 RTOs but ACKs keep coming", Stalled(4, 300),
       Reason::kRetransmitStall, false},
      {"4 unanswered keepalive probes", Probing(kTimerKeepalive, 4),
       Reason::kKeepaliveUnanswered, true},
      {"3 unanswered keepalive probes", Probing(kTimerKeepalive, 3),
       Reason::kKeepaliveUnanswered, false},
      {"1 keepalive probe in flight", Probing(kTimerKeepalive, 1),
       Reason::kKeepaliveUnanswered, false},
      {"4 unanswered zero-window probes", Probing(kTimerPersist, 4),
       Reason::kZeroWindowStall, true},
      {"peer alive, not reading: 1 probe", Probing(kTimerPersist, 1),
       Reason::kZeroWindowStall, false},
      {"SYN sent twice more", Connecting(2), Reason::kHandshakeStalled, true},
      {"one SYN retransmit", Connecting(1), Reason::kHandshakeStalled, false},
      {"idle an hour, no keepalive", idle, Reason::kIdleUnprotected, false},
  };
  for (const Case& c : cases) {
    const Verdict verdict = ScoreSocket(c.socket, kConfig, kCleanPath);
    if (verdict.score > 0) {
      EXPECT_EQ(verdict.reason, c.reason) << c.what;
    }
    EXPECT_EQ(verdict.score >= 0.5, c.suspect)
        << c.what << " " << verdict.score;
  }
  EXPECT_EQ(ScoreSocket(idle_keepalive, kConfig, kCleanPath).score, 0);
  EXPECT_EQ(IdleUnprotectedScore(idle, kConfig), 0.2);
  ScoringConfig patient;
  patient.idle_threshold_seconds = 7200;
  EXPECT_EQ(IdleUnprotectedScore(idle, patient), 0);
}

TEST(Suspicion, VanishedKeepalivePeerIsPointEightByItsFourthProbe) {
  // Probes go out at idle, idle + 1 interval, …: the fourth unanswered one
  // is out before idle + 4 intervals.
  EXPECT_GE(KeepaliveUnansweredScore(Probing(kTimerKeepalive, 4), kCleanPath),
            0.8);
  EXPECT_LT(KeepaliveUnansweredScore(Probing(kTimerKeepalive, 3), kCleanPath),
            0.5);
}

TEST(Suspicion, ProbesOnALossyPathNeedALongerRunOfSilence) {
  // 19% of round trips fail: six in a row happen to a live peer once in
  // 21,000 runs (4.3 decades), which stays below the threshold; seven once
  // in 112,000 (5.0 decades), which does not.
  for (const std::uint8_t timer : {kTimerKeepalive, kTimerPersist}) {
    const auto score = [&](unsigned probes) {
      return ScoreSocket(Probing(timer, probes), kConfig, kLossyPath).score;
    };
    EXPECT_LT(score(6), 0.5);
    EXPECT_GE(score(7), 0.5);
    EXPECT_GE(score(8), 0.8);
  }
}

TEST(Suspicion, RetransmitStallIsWeighedAgainstTheLossLikeProbes) {
  // 5 failed retries of a dead peer: suspect on a clean path, not on one
  // losing 10% each way, where 7 are needed.
  EXPECT_GE(ScoreSocket(Stalled(5, 60000), kConfig, kCleanPath).score, 0.9);
  EXPECT_LT(ScoreSocket(Stalled(6, 60000), kConfig, kLossyPath).score, 0.5);
  EXPECT_GE(ScoreSocket(Stalled(7, 60000), kConfig, kLossyPath).score, 0.5);
  for (const std::uint8_t state :
       {kTcpSynSent, kTcpFinWait2, kTcpTimeWait, kTcpListen}) {
    SocketRecord socket = Stalled(6, 60000);
    socket.state = state;
    EXPECT_EQ(RetransmitStallScore(socket, kCleanPath), 0) << int{state};
  }
}

TEST(Suspicion, MoreEvidenceNeverLowersTheScore) {
  for (unsigned n = 0; n < 16; ++n) {
    for (double loss = 0.01; loss < 0.6; loss += 0.01) {
      const SocketRecord keepalive = Probing(kTimerKeepalive, n);
      const SocketRecord window = Probing(kTimerPersist, n);
      EXPECT_LE(
          KeepaliveUnansweredScore(keepalive, loss),
          KeepaliveUnansweredScore(Probing(kTimerKeepalive, n + 1), loss));
      EXPECT_LE(ZeroWindowStallScore(window, loss),
                ZeroWindowStallScore(Probing(kTimerPersist, n + 1), loss));
      // More loss on the path makes the same silence weaker evidence.
      EXPECT_GE(KeepaliveUnansweredScore(keepalive, loss),
                KeepaliveUnansweredScore(keepalive, loss + 0.01));
    }
    EXPECT_LE(HandshakeStalledScore(Connecting(n)),
              HandshakeStalledScore(Connecting(n + 1)));
  }
}

TEST(GiveUpEta, RetransmitCountsFromTheFirstRetransmission) {
  // Third RTO armed at 1.6 s, 1.0 s to go: the first retransmission went
  // out 0.2*(8-2) + 0.6 = 1.8 s ago (at 0.2 s, then 0.6 s, 1.4 s).
  SocketRecord socket = Stalled(3, 2000);
  socket.info.rto_us = 1600000;
  socket.expires_ms = 1000;
  EXPECT_NEAR(GiveUpEtaSeconds(socket, KernelSettings{}), 924.6 - 1.8, 1e-6);
  KernelSettings short_budget;
  short_budget.tcp_retries2 = 6;
  EXPECT_NEAR(GiveUpEtaSeconds(socket, short_budget), 25.4 - 1.8, 1e-6);
}

TEST(GiveUpEta, KeepaliveCountsTheRemainingProbes) {
  SocketRecord socket = Probing(kTimerKeepalive, 2);
  socket.expires_ms = 30000;
  EXPECT_DOUBLE_EQ(GiveUpEtaSeconds(socket, KernelSettings{}), 30 + 7 * 75);
  SocketRecord idle = Probing(kTimerKeepalive, 0);
  idle.expires_ms = 7200000;
  EXPECT_DOUBLE_EQ(GiveUpEtaSeconds(idle, KernelSettings{}),
                   KeepaliveGiveUpSeconds(7200, 75, 9));
}

TEST(GiveUpEta, SynSentFollowsTheSynSchedule) {
  KernelSettings settings;
  settings.tcp_syn_linear_timeouts = 4;
  SocketRecord fresh = Connecting(0);
  fresh.expires_ms = 1000;
  EXPECT_DOUBLE_EQ(GiveUpEtaSeconds(fresh, settings), 131);
  SocketRecord late = Connecting(9);  // the last SYN went out at 67 s
  late.expires_ms = 10000;
  EXPECT_DOUBLE_EQ(GiveUpEtaSeconds(late, settings), 10 + 64);
}

TEST(GiveUpEta, IdleWithoutKeepaliveIsNever) {
  EXPECT_TRUE(std::isinf(GiveUpEtaSeconds(Healthy(), KernelSettings{})));
}

}  // namespace
}  // namespace halfopen
