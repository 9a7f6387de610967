#include "model/giveup.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace halfopen
