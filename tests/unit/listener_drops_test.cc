#include "model/listener_drops.h"

#include <gtest/gtest.h>

#include <vector>

namespace halfopen {
namespace {

ListenerKey Port(std::uint16_t port) {
  ListenerKey key;
  key.family = kFamilyIpv4;
  key.port = port;
  return key;
}

// Applies dumps at times 1, 2, 3, …
class Dumps {
 public:
  void Apply(std::vector<DropSample> samples) { drops.Apply(samples, ++now_); }
  std::uint64_t Total(std::uint16_t port) const {
    const auto total = drops.Total(Port(port));
    EXPECT_TRUE(total.has_value()) << "no group on port " << port;
    return total.value_or(0);
  }

  ListenerDrops drops;

 private:
  double now_ = 0;
};

TEST(ListenerDrops, CountsFromBeforeTheFirstDumpAreIncluded) {
  Dumps dumps;
  dumps.Apply({{Port(80), 1, 17}});
  EXPECT_EQ(dumps.Total(80), 17u);
  dumps.Apply({{Port(80), 1, 20}});
  EXPECT_EQ(dumps.Total(80), 20u);
}

TEST(ListenerDrops, GroupIsTheSumOfItsMembers) {
  Dumps dumps;
  dumps.Apply({{Port(80), 1, 12}, {Port(80), 2, 18}, {Port(81), 3, 0}});
  EXPECT_EQ(dumps.Total(80), 30u);
  EXPECT_EQ(dumps.Total(81), 0u);
  EXPECT_FALSE(dumps.drops.Total(Port(82)).has_value());
}

TEST(ListenerDrops, AClosedMemberTakesNothingAway) {
  Dumps dumps;
  dumps.Apply({{Port(80), 1, 12}, {Port(80), 2, 18}});
  for (int i = 0; i < 5; ++i) {
    dumps.Apply({{Port(80), 2, 18}});
    EXPECT_EQ(dumps.Total(80), 30u) << "after dump " << i;
  }
  EXPECT_EQ(dumps.drops.members(), 1u);
  dumps.Apply({{Port(80), 2, 25}, {Port(80), 4, 3}});
  EXPECT_EQ(dumps.Total(80), 40u);
}

TEST(ListenerDrops, AMemberMissingFromADumpAndBackIsNotCountedTwice) {
  Dumps dumps;
  dumps.Apply({{Port(80), 1, 12}, {Port(80), 2, 18}});
  dumps.Apply({{Port(80), 2, 18}});  // The dump raced a table change.
  dumps.Apply({{Port(80), 1, 13}, {Port(80), 2, 18}});
  EXPECT_EQ(dumps.Total(80), 31u);
}

TEST(ListenerDrops, CounterWrappingPast32BitsKeepsRising) {
  Dumps dumps;
  dumps.Apply({{Port(80), 1, 0xfffffff0u}});
  dumps.Apply({{Port(80), 1, 0x10u}});
  EXPECT_EQ(dumps.Total(80), 0xfffffff0ull + 0x20u);
}

TEST(ListenerDrops, StaleDumpIsIgnored) {
  ListenerDrops drops;
  drops.Apply(std::vector<DropSample>{{Port(80), 1, 50}}, 10.0);
  // Started before the dump above, finished after it.
  drops.Apply(std::vector<DropSample>{{Port(80), 1, 40}}, 9.5);
  EXPECT_EQ(drops.Total(Port(80)), 50u);
}

TEST(ListenerDrops, SocketSeenTwiceInOneDumpCountsOnce) {
  Dumps dumps;
  dumps.Apply({{Port(80), 1, 5}});
  dumps.Apply({{Port(80), 1, 9}, {Port(80), 1, 9}});
  EXPECT_EQ(dumps.Total(80), 9u);
}

TEST(ListenerDrops, GroupWhoseMembersAllClosedIsForgotten) {
  Dumps dumps;
  dumps.Apply({{Port(80), 1, 12}, {Port(81), 2, 1}});
  for (int i = 0; i < ListenerDrops::kMissedDumpsToDepart; ++i) {
    dumps.Apply({{Port(81), 2, 1}});
  }
  EXPECT_FALSE(dumps.drops.Total(Port(80)).has_value());
  EXPECT_EQ(dumps.drops.groups(), 1u);
  // The same address and port listening again is a new listener.
  dumps.Apply({{Port(80), 7, 0}, {Port(81), 2, 1}});
  EXPECT_EQ(dumps.Total(80), 0u);
}

TEST(ListenerDrops, FoldedSeriesNeverDecreasesAsTheFoldedSetChanges) {
  Dumps dumps;
  dumps.Apply({{Port(80), 1, 10}, {Port(81), 2, 20}});
  const ListenerKey p80 = Port(80), p81 = Port(81);
  // 81 folded from the start: its whole count.
  EXPECT_EQ(dumps.drops.FoldOthers(std::vector{p81}), 20u);
  dumps.Apply({{Port(80), 1, 15}, {Port(81), 2, 26}});
  // Now 80 is folded and 81 kept (it filled up): 80 adds only its rise
  // since the last scrape, and the series does not lose 81's share.
  EXPECT_EQ(dumps.drops.FoldOthers(std::vector{p80}), 25u);
  dumps.Apply({{Port(80), 1, 15}, {Port(81), 2, 30}});
  EXPECT_EQ(dumps.drops.FoldOthers({}), 25u);
  dumps.Apply({{Port(80), 1, 16}, {Port(81), 2, 31}});
  EXPECT_EQ(dumps.drops.FoldOthers(std::vector{p80, p81}), 27u);
}

}  // namespace
}  // namespace halfopen
