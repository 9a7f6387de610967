#include "model/socket_stats.h"

#include <gtest/gtest.h>

#include <string>

namespace halfopen {
namespace {

SocketRecord WithInfo(std::uint8_t state, std::uint8_t retransmits,
                      std::uint8_t probes) {
  SocketRecord socket;
  socket.state = state;
  socket.info.retransmits = retransmits;
  socket.info.probes = probes;
  socket.info.present = TcpInfo::kAll;
  return socket;
}

TEST(SocketStats, CountsStatesWithUnknownAsOtherAndRequestsAsSynRecv) {
  SocketStats stats;
  for (int state :
       std::initializer_list<int>{kTcpEstablished, kTcpEstablished, kTcpListen,
                                  kTcpNewSynRecv, 99, 0}) {
    SocketRecord socket;
    socket.state = static_cast<std::uint8_t>(state);
    stats.Add(socket);
  }
  EXPECT_EQ(stats.states[kTcpEstablished], 2u);
  EXPECT_EQ(stats.states[kTcpListen], 1u);
  EXPECT_EQ(stats.states[kTcpSynRecv], 1u);
  EXPECT_EQ(stats.states[0], 2u);
  EXPECT_EQ(stats.scanned, 6u);
  EXPECT_STREQ(StateLabel(kTcpCloseWait), "close_wait");
  EXPECT_STREQ(StateLabel(0), "other");
}

TEST(SocketStats, CountsTimersWithUnknownAsOther) {
  SocketStats stats;
  for (int timer : {0, 1, 1, 2, 3, 4, 5, 200}) {
    SocketRecord socket;
    socket.timer = static_cast<std::uint8_t>(timer);
    stats.Add(socket);
  }
  const std::uint64_t expected[] = {1, 2, 1, 1, 1, 2};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(stats.timers[i], expected[i]) << TimerLabel(i);
  }
}

TEST(SocketStats, BucketsRetransmitsAndProbesOfConnectionsThatHaveThem) {
  SocketStats stats;
  for (int n : {0, 1, 2, 3, 4, 7, 8, 15}) {
    const auto count = static_cast<std::uint8_t>(n);
    stats.Add(WithInfo(kTcpEstablished, count, count));
  }
  const std::uint64_t expected[] = {1, 1, 1, 2, 2};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(stats.retransmits[i], expected[i]) << CountBucketLabel(i);
    EXPECT_EQ(stats.probes[i], expected[i]) << CountBucketLabel(i);
  }
}

TEST(SocketStats, IgnoresRetryFieldsTheKernelDidNotSend) {
  SocketStats stats;
  SocketRecord socket = WithInfo(kTcpEstablished, 3, 3);
  // A tcp_info too short for tcpi_retransmits and tcpi_probes.
  socket.info.present =
      TcpInfo::kAll & ~(TcpInfo::kRetransmits | TcpInfo::kProbes);
  stats.Add(socket);
  EXPECT_EQ(stats.retransmits[2] + stats.probes[2], 0u);
}

TEST(SocketStats, ListenersAreNotRetryCounted) {
  SocketStats stats;
  stats.Add(WithInfo(kTcpListen, 2, 2));
  EXPECT_EQ(stats.retransmits[1] + stats.probes[1], 0u);
}

}  // namespace
}  // namespace halfopen
