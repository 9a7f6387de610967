#include "model/listener_history.h"

#include <gtest/gtest.h>

#include <vector>

namespace halfopen {
namespace {

// A LISTEN socket on 10.0.0.<host>:port with `length` queued of `limit`.
SocketRecord ListenSocket(std::uint16_t port, std::uint32_t length,
                          std::uint32_t limit, std::uint8_t host = 1) {
  SocketRecord socket;
  socket.family = kFamilyIpv4;
  socket.state = kTcpListen;
  socket.local_address = {10, 0, 0, host};
  socket.local_port = port;
  socket.rqueue = length;
  socket.wqueue = limit;
  return socket;
}

Listener ListenerOn(std::uint16_t port, std::uint8_t host = 1) {
  Listener listener;
  listener.family = kFamilyIpv4;
  listener.address = {10, 0, 0, host};
  listener.port = port;
  return listener;
}

struct Sample {
  double at;
  std::vector<SocketRecord> sockets;
};

void Feed(ListenerHistory& history, const Sample& sample) {
  history.BeginSample(sample.at);
  for (const SocketRecord& socket : sample.sockets) history.Observe(socket);
  history.EndSample();
}

ListenerHistory::Config Config(double window = 60) {
  ListenerHistory::Config config;
  config.peak_window_seconds = window;
  return config;
}

TEST(ListenerHistory, FullTimeCountsEachIntervalByItsEnds) {
  ListenerHistory history(Config());
  // Full (length 3 > limit 2) at t=1 and t=2, not at t=0 and t=3.
  Feed(history, {0, {ListenSocket(80, 0, 2)}});
  Feed(history, {1, {ListenSocket(80, 3, 2)}});
  Feed(history, {2, {ListenSocket(80, 3, 2)}});
  Feed(history, {3, {ListenSocket(80, 1, 2)}});
  // Half of [0,1], all of [1,2], half of [2,3].
  EXPECT_DOUBLE_EQ(history.Read(ListenerOn(80), 3).full_seconds, 2.0);
  EXPECT_EQ(history.samples(), 4u);
}

TEST(ListenerHistory, AQueueAtItsLimitIsNotFull) {
  ListenerHistory history(Config());
  Feed(history, {0, {ListenSocket(80, 2, 2)}});
  Feed(history, {1, {ListenSocket(80, 2, 2)}});
  EXPECT_DOUBLE_EQ(history.Read(ListenerOn(80), 1).full_seconds, 0);
  EXPECT_EQ(history.Read(ListenerOn(80), 1).peak_length, 2u);
}

TEST(ListenerHistory, OneFullMemberMakesTheGroupFullAndLengthsAdd) {
  ListenerHistory history(Config());
  // An SO_REUSEPORT pair: one member full, the other idle.
  Feed(history, {0, {ListenSocket(80, 0, 4), ListenSocket(80, 5, 4)}});
  Feed(history, {1, {ListenSocket(80, 1, 4), ListenSocket(80, 5, 4)}});
  const ListenerObservation seen = history.Read(ListenerOn(80), 1);
  EXPECT_DOUBLE_EQ(seen.full_seconds, 1.0);
  EXPECT_EQ(seen.peak_length, 6u);
}

TEST(ListenerHistory, PeakLeavesTheWindow) {
  ListenerHistory history(Config(60));
  Feed(history, {0, {ListenSocket(80, 9, 8)}});
  for (int t = 1; t <= 30; ++t) {
    Feed(history, {static_cast<double>(t), {ListenSocket(80, 1, 8)}});
  }
  EXPECT_EQ(history.Read(ListenerOn(80), 30).peak_length, 9u);
  EXPECT_EQ(history.Read(ListenerOn(80), 59).peak_length, 9u);
  // The window moves on even without samples.
  EXPECT_EQ(history.Read(ListenerOn(80), 62).peak_length, 1u);
  EXPECT_EQ(history.Read(ListenerOn(80), 95).peak_length, 0u);
}

TEST(ListenerHistory, ASampleBegunAndNeverEndedIsForgotten) {
  ListenerHistory history(Config());
  Feed(history, {0, {ListenSocket(80, 0, 4)}});
  history.BeginSample(1);
  history.Observe(ListenSocket(80, 9, 4));  // The dump then failed.
  Feed(history, {2, {ListenSocket(80, 1, 4)}});
  EXPECT_EQ(history.Read(ListenerOn(80), 2).peak_length, 1u);
  EXPECT_DOUBLE_EQ(history.Read(ListenerOn(80), 2).full_seconds, 0);
}

TEST(ListenerHistory, SeenFullLatelyWithinTheWindow) {
  ListenerHistory history(Config(10));
  Feed(history, {0, {ListenSocket(80, 2, 1), ListenSocket(443, 0, 1)}});
  Feed(history, {1, {ListenSocket(80, 0, 1), ListenSocket(443, 0, 1)}});
  EXPECT_TRUE(history.RecentlyFull(ListenerOn(80), 5));
  EXPECT_FALSE(history.RecentlyFull(ListenerOn(443), 5));
  EXPECT_FALSE(history.RecentlyFull(ListenerOn(80), 11));
}

TEST(ListenerHistory, FoldedCountersNeverGoDownAsTheFoldedSetChanges) {
  ListenerHistory history(Config());
  const Listener a = ListenerOn(80), b = ListenerOn(443);
  Feed(history, {0, {ListenSocket(80, 2, 1), ListenSocket(443, 2, 1)}});
  Feed(history, {1, {ListenSocket(80, 2, 1), ListenSocket(443, 2, 1)}});
  // Both folded: other has all of it.
  ListenerObservation other = history.FoldOthers({}, 1);
  EXPECT_DOUBLE_EQ(other.full_seconds, 2);
  Feed(history, {2, {ListenSocket(80, 2, 1), ListenSocket(443, 2, 1)}});
  // Now 80 is kept: other grows by 443's second only, and never shrinks.
  other = history.FoldOthers({&a}, 2);
  EXPECT_DOUBLE_EQ(other.full_seconds, 3);
  EXPECT_DOUBLE_EQ(history.Read(a, 2).full_seconds, 2);
  Feed(history, {3, {ListenSocket(80, 2, 1), ListenSocket(443, 2, 1)}});
  other = history.FoldOthers({&a, &b}, 3);
  EXPECT_DOUBLE_EQ(other.full_seconds, 3);
  EXPECT_EQ(other.peak_length, 0u);
}

TEST(ListenerHistory, FilteredOutListenersAreNotFolded) {
  ListenerHistory::Config config = Config();
  config.filter.port_exclude = {{443, 443}};
  ListenerHistory history(config);
  Feed(history, {0, {ListenSocket(80, 0, 1), ListenSocket(443, 2, 1)}});
  Feed(history, {1, {ListenSocket(80, 0, 1), ListenSocket(443, 2, 1)}});
  // 443 was full; it has no series, and its time goes to no one else.
  const ListenerObservation other = history.FoldOthers({}, 1);
  EXPECT_DOUBLE_EQ(other.full_seconds, 0);
  EXPECT_EQ(other.peak_length, 0u);
  EXPECT_DOUBLE_EQ(history.Read(ListenerOn(443), 1).full_seconds, 1);
}

TEST(ListenerHistory, ClosedListenersAreForgottenAfterTwoWindows) {
  ListenerHistory history(Config(60));
  Feed(history, {0, {ListenSocket(80, 2, 1)}});
  Feed(history, {1, {}});
  EXPECT_EQ(history.size(), 1u);
  Feed(history, {100, {}});
  EXPECT_EQ(history.size(), 1u);
  Feed(history, {122, {}});
  EXPECT_EQ(history.size(), 0u);
}

TEST(ListenerHistory, RemembersAtMostMaxListeners) {
  ListenerHistory::Config config = Config();
  config.max_listeners = 2;
  ListenerHistory history(config);
  Feed(history, {0,
                 {ListenSocket(80, 0, 1), ListenSocket(81, 0, 1),
                  ListenSocket(82, 2, 1)}});
  EXPECT_EQ(history.size(), 2u);
  EXPECT_EQ(history.untracked(), 1u);
}

TEST(ListenerHistory, OtherStatesAreIgnored) {
  ListenerHistory history(Config());
  SocketRecord established = ListenSocket(80, 5, 1);
  established.state = kTcpEstablished;
  Feed(history, {0, {established}});
  EXPECT_EQ(history.size(), 0u);
}

}  // namespace
}  // namespace halfopen
