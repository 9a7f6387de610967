#include "model/giveup.h"

#include <gtest/gtest.h>

#include <limits>

namespace halfopen {
namespace {

// Expected values are the kernel's documented ones (ip-sysctl.rst, tcp(7),
// net/ipv4/tcp_timer.c), not recomputed here.
TEST(GiveUp, RetransmitMatchesKernelModel) {
  EXPECT_NEAR(RetransmitGiveUpSeconds(15), 924.6, 1e-9);  // default
  EXPECT_NEAR(RetransmitGiveUpSeconds(6), 25.4, 1e-9);
  EXPECT_NEAR(RetransmitGiveUpSeconds(8), 102.2, 1e-9);   // ip-sysctl: ~100 s
  EXPECT_NEAR(RetransmitGiveUpSeconds(9), 204.6, 1e-9);   // last doubling
  EXPECT_NEAR(RetransmitGiveUpSeconds(10), 324.6, 1e-9);  // first capped RTO
  EXPECT_NEAR(RetransmitGiveUpSeconds(0), 0.2, 1e-9);
  EXPECT_NEAR(RetransmitGiveUpSeconds(-3), 0.2, 1e-9);
}

TEST(GiveUp, KeepaliveIsTimePlusIntervalTimesProbes) {
  EXPECT_EQ(KeepaliveGiveUpSeconds(7200, 75, 9), 7875);  // 2 h 11 min 15 s
  EXPECT_EQ(KeepaliveGiveUpSeconds(10, 2, 3), 16);
  EXPECT_EQ(KeepaliveGiveUpSeconds(10, 2, -1), 10);
}

TEST(GiveUp, SynAckDoublesFromOneSecond) {
  EXPECT_EQ(SynAckGiveUpSeconds(5), 63);  // 1, 3, 7, 15, 31 s; gone at 63 s
  EXPECT_EQ(SynAckGiveUpSeconds(1), 3);
  EXPECT_EQ(SynAckGiveUpSeconds(0), 1);
  EXPECT_EQ(SynAckGiveUpSeconds(8), 1 + 2 + 4 + 8 + 16 + 32 + 64 + 120 + 120);
}

TEST(GiveUp, SynUsesLinearTimeoutsOnNewKernels) {
  EXPECT_EQ(SynGiveUpSeconds(6, 4), 131);  // Linux 6.5+ defaults
  EXPECT_EQ(SynGiveUpSeconds(6, 0), 127);  // before 6.5
  EXPECT_EQ(SynGiveUpSeconds(1, 0), 3);
  EXPECT_EQ(SynGiveUpSeconds(0, 4), 5);
}

// Found by tests/fuzz/sysctl_fuzz: a sysctl of 2^31 - 1 overflowed the
// interval count and looped two billion times per scrape; the sums past the
// 120 s cap are linear and are now added in one step.
TEST(GiveUp, HugeSysctlsGiveFiniteTimesAtOnce) {
  constexpr int kMax = std::numeric_limits<int>::max();
  // 204.6 s until the cap is reached at retry 9, then 120 s per retry.
  EXPECT_NEAR(RetransmitGiveUpSeconds(kMax), 204.6 + (kMax - 9.0) * 120, 1);
  EXPECT_NEAR(SynAckGiveUpSeconds(kMax), 127 + (kMax - 6.0) * 120, 1);
  EXPECT_NEAR(SynGiveUpSeconds(kMax, kMax),
              (kMax + 1.0) + 126 + (kMax - 6.0) * 120, 1);
  EXPECT_NEAR(SynRemainingSeconds(kMax, kMax, kMax - 1, 0),
              1 + 126 + (kMax - 6.0) * 120, 1);
}

TEST(GiveUp, SynRemainingSumsTheWaitsStillAhead) {
  // Defaults (6, 4): the current wait, then 1, 1, 1, 1, 2, 4, 8, 16, 32 and
  // 64 s for retransmits 1 to 10.
  EXPECT_EQ(SynRemainingSeconds(6, 4, 0, 1), 1 + 4 + 126);
  EXPECT_EQ(SynRemainingSeconds(6, 4, 5, 0.5), 0.5 + 4 + 8 + 16 + 32 + 64);
  EXPECT_EQ(SynRemainingSeconds(6, 4, 10, 2), 2);
  EXPECT_EQ(SynRemainingSeconds(6, 0, 2, 0), 8 + 16 + 32 + 64);
}

// Found by tests/fuzz/sysctl_fuzz: a negative keepalive interval from a
// fixture gave a negative give-up time. The kernel keeps both at 1 s or more.
TEST(GiveUp, NegativeKeepaliveTimesCountAsNone) {
  EXPECT_EQ(KeepaliveGiveUpSeconds(10, -10710664, 9), 10);
  EXPECT_EQ(KeepaliveGiveUpSeconds(-5, 2, 3), 6);
}

}  // namespace
}  // namespace halfopen
