#include "status/status_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "tests/unit/status_fixture.h"

namespace halfopen {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;

constexpr double kNow = 1'800'000'000;

TEST(StatusModel, JoinsEachListenersSeriesByItsLabelsFullestFirst) {
  const StatusModel model =
      BuildStatusModel(HostCollection().families(), kNow, nullptr);
  ASSERT_EQ(model.listeners.size(), 2u);
  const StatusListener& full = model.listeners[0];
  EXPECT_EQ(full.address, "127.0.0.1");
  EXPECT_EQ(full.port, "8080");
  EXPECT_EQ(full.queue_length, 3);
  EXPECT_EQ(full.queue_limit, 2);
  EXPECT_EQ(full.max_fill, 1);
  EXPECT_EQ(full.syn_recv, 2);
  EXPECT_EQ(full.orphaned_handshakes, 1);
  ASSERT_EQ(full.processes.size(), 1u);
  EXPECT_EQ(full.processes[0].comm, "<b>x");
  EXPECT_EQ(full.processes[0].pid, "42");
  EXPECT_FALSE(full.full_seconds.has_value());
  EXPECT_EQ(full.drops_total, 40);
  EXPECT_FALSE(full.drops_recent.has_value());  // No baseline: no history.

  const StatusListener& idle = model.listeners[1];
  EXPECT_EQ(idle.family, "ipv6");
  EXPECT_EQ(idle.queue_limit, 128);
  EXPECT_EQ(idle.full_seconds, 2.5);
  EXPECT_EQ(idle.peak_length, 129);
  EXPECT_EQ(idle.drops_total, 0);
  EXPECT_TRUE(idle.processes.empty());
}

// The full listener's drops as a /status page would see them at `at`, after
// the collections of `seen` (time, drops) were observed.
std::optional<StatusRise> RecentDrops(
    const std::vector<std::pair<double, double>>& seen, double at,
    double drops) {
  CounterBaseline baseline;
  for (const auto& [time, value] : seen) {
    baseline.Observe(HostCollection(15, value).families(), time);
  }
  const StatusModel model =
      BuildStatusModel(HostCollection(15, drops).families(), at, &baseline);
  EXPECT_EQ(model.listeners[0].port, "8080");
  return model.listeners[0].drops_recent;
}

TEST(StatusModel, DropsOfTheLastMinuteAreCountedFromAMinuteAgo) {
  const auto rise = RecentDrops({{kNow, 40}, {kNow + 30, 45}, {kNow + 70, 52}},
                                kNow + 70, 52);
  ASSERT_TRUE(rise.has_value());
  EXPECT_EQ(rise->value, 12);  // Since the collection 70 s before.
  EXPECT_EQ(rise->seconds, 70);
  // Two minutes on, a minute back is the collection at +70.
  const auto later = RecentDrops(
      {{kNow, 40}, {kNow + 30, 45}, {kNow + 70, 52}, {kNow + 120, 60}},
      kNow + 130, 61);
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(later->value, 9);
  EXPECT_EQ(later->seconds, 60);
}

TEST(StatusModel, DropsSinceTheFirstLookWhenWatchedForLessThanAMinute) {
  const auto rise = RecentDrops({{kNow, 40}}, kNow + 2, 43);
  ASSERT_TRUE(rise.has_value());
  EXPECT_EQ(rise->value, 3);
  EXPECT_EQ(rise->seconds, 2);
  // The collection being shown is no history of its own.
  EXPECT_FALSE(RecentDrops({{kNow, 40}}, kNow, 40).has_value());
}

TEST(StatusModel, DropsOfAListenerThatStartedAgainCountFromZero) {
  const auto rise = RecentDrops({{kNow, 40}}, kNow + 10, 3);
  ASSERT_TRUE(rise.has_value());
  EXPECT_EQ(rise->value, 3);
}

TEST(StatusModel, ListenerThatDroppedLatelyRanksAboveAnIdleOne) {
  FamilyBuilder b;
  for (const char* port : {"80", "81"}) {
    const LabelPairs labels = {
        {"family", "ipv4"}, {"address", "0.0.0.0"}, {"port", port}};
    b.Gauge("halfopen_listen_queue_max_fill_ratio", labels, 0);
  }
  CounterBaseline baseline;
  auto drops = [](double d80, double d81) {
    FamilyBuilder f;
    f.Counter("halfopen_listen_drops_total",
              {{"family", "ipv4"}, {"address", "0.0.0.0"}, {"port", "80"}}, d80)
        .Counter("halfopen_listen_drops_total",
                 {{"family", "ipv4"}, {"address", "0.0.0.0"}, {"port", "81"}},
                 d81);
    return f.families();
  };
  baseline.Observe(drops(5, 5), kNow);
  auto families = b.families();
  for (auto& family : drops(5, 9)) families.push_back(family);
  const StatusModel model = BuildStatusModel(families, kNow + 60, &baseline);
  ASSERT_EQ(model.listeners.size(), 2u);
  EXPECT_EQ(model.listeners[0].port, "81");
}

TEST(StatusModel, SuspectsHighestScoreFirstWithEtaAndAge) {
  const StatusModel model =
      BuildStatusModel(HostCollection().families(), kNow, nullptr);
  ASSERT_EQ(model.suspects.size(), 2u);
  EXPECT_EQ(model.suspects[0].reason, "retransmit_stall");
  EXPECT_EQ(model.suspects[0].score, 0.92);
  EXPECT_EQ(model.suspects[0].giveup_eta_seconds, 16.6);
  EXPECT_EQ(model.suspects[0].age_seconds, 9);
  EXPECT_EQ(model.suspects[1].reason, "peer_missing");
  EXPECT_EQ(model.suspects[1].local_port, "40000");
  EXPECT_EQ(model.suspects[1].peer_port, "8080");
  EXPECT_TRUE(std::isinf(model.suspects[1].giveup_eta_seconds));
  EXPECT_EQ(model.suspects[1].connections, 3);
  EXPECT_EQ(model.suspects[1].local_address, "");
  EXPECT_THAT(model.suspect_counts, ElementsAre(Field(&StatusValue::value, 1),
                                                Field(&StatusValue::value, 3)));
  ASSERT_EQ(model.idle_unprotected.size(), 1u);
  EXPECT_EQ(model.idle_unprotected[0].value, 4);
}

TEST(StatusModel, SplitsSysctlsFromGiveUpTimes) {
  const StatusModel model =
      BuildStatusModel(HostCollection().families(), kNow, nullptr);
  ASSERT_EQ(model.settings.size(), 1u);
  EXPECT_EQ(model.settings[0].name, "tcp_retries2");
  EXPECT_EQ(model.settings[0].value, 15);
  ASSERT_EQ(model.giveups.size(), 1u);
  EXPECT_EQ(model.giveups[0].name, "retransmit_giveup_seconds");
  EXPECT_EQ(model.giveups[0].value, 924.6);
}

TEST(StatusModel, CollectorsHealthAndBuild) {
  const StatusModel model =
      BuildStatusModel(HostCollection().families(), kNow, nullptr);
  ASSERT_EQ(model.collectors.size(), 2u);
  EXPECT_EQ(model.collectors[0].name, "listeners");
  EXPECT_TRUE(model.collectors[0].ok);
  EXPECT_EQ(model.collectors[0].duration_seconds, 0.004);
  EXPECT_EQ(model.collectors[1].name, "sockets");
  EXPECT_FALSE(model.collectors[1].ok);
  EXPECT_EQ(model.collectors[1].errors_total, 2);
  EXPECT_EQ(model.version, "0.1.0");
  EXPECT_EQ(model.revision, "abc123");
  EXPECT_EQ(model.collected_unix_seconds, kNow);
  EXPECT_FALSE(model.per_namespace);
}

TEST(StatusModel, TheOwnNamespacesInfoAloneIsNotPerNamespace) {
  FamilyBuilder b = HostCollection();
  b.Gauge("halfopen_netns_info", {{"netns", "4026531840"}, {"comm", "init"}},
          1);
  const StatusModel model = BuildStatusModel(b.families(), kNow, nullptr);
  EXPECT_FALSE(model.per_namespace);
  ASSERT_EQ(model.namespaces.size(), 1u);
  EXPECT_EQ(model.namespaces[0].comm, "init");
}

TEST(StatusModel, NetstatCountersRiseFromTheFirstCollectionSeen) {
  CounterBaseline baseline;
  EXPECT_EQ(baseline.since_unix_seconds(), 0);
  baseline.Observe(HostCollection(10).families(), kNow - 60);
  // A later collection does not move the baseline.
  baseline.Observe(HostCollection(12).families(), kNow - 30);
  EXPECT_EQ(baseline.since_unix_seconds(), kNow - 60);
  const StatusModel model =
      BuildStatusModel(HostCollection(15).families(), kNow, &baseline);
  EXPECT_EQ(model.baseline_unix_seconds, kNow - 60);
  ASSERT_EQ(model.counters.size(), 2u);
  EXPECT_EQ(model.counters[0].name, "listen_overflows_total");
  EXPECT_EQ(model.counters[0].value, 15);
  EXPECT_EQ(model.counters[0].change, 5);
  EXPECT_EQ(model.counters[1].name, "curr_estab");  // a gauge: no change
  EXPECT_FALSE(model.counters[1].change.has_value());
}

TEST(StatusModel, ACounterBelowItsBaselineWasResetAndCountsFromZero) {
  CounterBaseline baseline;
  baseline.Observe(HostCollection(100).families(), kNow);
  const StatusModel model =
      BuildStatusModel(HostCollection(4).families(), kNow, &baseline);
  EXPECT_EQ(model.counters[0].change, 4);
}

TEST(StatusModel, WithoutABaselineThereIsNoChange) {
  const StatusModel model =
      BuildStatusModel(HostCollection().families(), kNow, nullptr);
  EXPECT_EQ(model.baseline_unix_seconds, 0);
  EXPECT_FALSE(model.counters[0].change.has_value());
}

TEST(StatusModel, PerNamespaceSeriesKeepTheirNamespaceApart) {
  FamilyBuilder b;
  for (const char* netns : {"4026531840", "4026532281"}) {
    b.Gauge("halfopen_listen_queue_length",
            {{"netns", netns},
             {"family", "ipv4"},
             {"address", "0.0.0.0"},
             {"port", "80"}},
            1);
  }
  b.Gauge("halfopen_netns_info",
          {{"netns", "4026532281"},
           {"name", "blue"},
           {"pod_uid", ""},
           {"container_id", ""},
           {"comm", "nginx"}},
          1);
  const StatusModel model = BuildStatusModel(b.families(), kNow, nullptr);
  EXPECT_TRUE(model.per_namespace);
  ASSERT_EQ(model.listeners.size(), 2u);
  EXPECT_EQ(model.listeners[0].netns, "4026531840");
  EXPECT_EQ(model.listeners[1].netns, "4026532281");
  ASSERT_EQ(model.namespaces.size(), 1u);
  EXPECT_EQ(model.namespaces[0].name, "blue");
  EXPECT_EQ(model.namespaces[0].comm, "nginx");
}

TEST(StatusModel, FoldedListenersComeAfterEqualPortsAndPortsSortAsNumbers) {
  FamilyBuilder b;
  for (const char* port : {"other", "9000", "80"}) {
    b.Gauge("halfopen_listen_queue_length",
            {{"family", "ipv4"}, {"address", "0.0.0.0"}, {"port", port}}, 0);
  }
  const StatusModel model = BuildStatusModel(b.families(), kNow, nullptr);
  EXPECT_THAT(model.listeners,
              ElementsAre(Field(&StatusListener::port, "80"),
                          Field(&StatusListener::port, "9000"),
                          Field(&StatusListener::port, "other")));
}

}  // namespace
}  // namespace halfopen
