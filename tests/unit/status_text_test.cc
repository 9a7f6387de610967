#include "status/status_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "status/status_format.h"
#include "status/status_json.h"
#include "tests/unit/status_fixture.h"

namespace halfopen {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

StatusModel Host() {
  return BuildStatusModel(HostCollection().families(), 1'800'000'000, nullptr);
}

TEST(TextTable, PadsEveryColumnToItsWidestCellInCharacters) {
  TextTable table({"NAME", "VALUE", "NOTE"});
  table.AddRow({"tcp_retries2", "15", ""});
  table.AddRow({"pod 6f1c…", "7875", "x"});
  EXPECT_EQ(table.Render(),
            "NAME          VALUE  NOTE\n"
            "tcp_retries2  15\n"
            "pod 6f1c…     7875   x\n");
}

TEST(TextTable, IsEmptyWithOnlyItsHeaders) {
  TextTable table({"A"});
  EXPECT_TRUE(table.empty());
  table.AddRow({"1", "dropped"});
  EXPECT_FALSE(table.empty());
  EXPECT_EQ(table.Render(), "A\n1\n");
}

TEST(StatusText, ListsListenersFullestFirstWithTheSamplersColumns) {
  const std::string text = RenderStatusText(Host());
  EXPECT_THAT(
      text,
      HasSubstr("Listeners\n"
                "LISTENER        QUEUE  LIMIT  FILL  SYN_RECV  RETRANSMITTING  "
                "ORPHANED  DROPS_1M  TIME_FULL  PEAK  SOCKETS  PROCESSES\n"
                "127.0.0.1:8080  3      2      100%  2         2               "
                "1         -         -          -     1        <b>x (42)\n"
                "[::]:443        0      128    0%    0         0               "
                "0         -         2.5 s      129   1\n"));
}

TEST(StatusText, ShowsEachListenersDropsOfTheLastMinute) {
  CounterBaseline baseline;
  baseline.Observe(HostCollection(15, 40).families(), 1000);
  const std::string watched_briefly = RenderStatusText(
      BuildStatusModel(HostCollection(15, 43).families(), 1002, &baseline));
  EXPECT_THAT(watched_briefly,
              HasSubstr("127.0.0.1:8080  3      2      100%  2         2     "
                        "          1         3 in 2.0 s"));
  baseline.Observe(HostCollection(15, 43).families(), 1002);
  const std::string a_minute_on = RenderStatusText(
      BuildStatusModel(HostCollection(15, 50).families(), 1060, &baseline));
  EXPECT_THAT(a_minute_on,
              HasSubstr("127.0.0.1:8080  3      2      100%  2         2     "
                        "          1         10  "));
}

TEST(StatusText, ListsSuspectsUnderTheirCounts) {
  const std::string text = RenderStatusText(Host());
  EXPECT_THAT(
      text,
      HasSubstr("Suspects: 4 (retransmit_stall 1, peer_missing 3); idle "
                "without keepalive: 4\n"
                "REASON            SCORE  STATE        LOCAL  PEER  "
                "GIVES_UP_IN  SUSPECT_FOR  CONNECTIONS\n"
                "retransmit_stall  0.92   established  52014  8443  16.6 s"
                "       9.0 s        1\n"
                "peer_missing      0.9    established  40000  8080  never  "
                "      2 min 5 s    3\n"));
}

TEST(StatusText, ListsSettingsGiveUpTimesAndCollectors) {
  const std::string text = RenderStatusText(Host());
  EXPECT_THAT(text, HasSubstr("SETTING       VALUE\ntcp_retries2  15\n"));
  EXPECT_THAT(text, HasSubstr("data to a silent peer (tcp_retries2)  "
                              "15 min 25 s\n"));
  EXPECT_THAT(text, HasSubstr("listeners  ok      4 ms"));
  EXPECT_THAT(text, HasSubstr("sockets    FAILED  1 ms      2\n"));
  EXPECT_THAT(
      text, ::testing::StartsWith("halfopen_exporter 0.1.0 (revision abc123), "
                                  "collected 2027-01-15 08:00:00 UTC\n"));
}

TEST(StatusText, TitleSaysHowLongTheExporterWatched) {
  CounterBaseline baseline;
  baseline.Observe({}, 1'800'000'000 - 2);
  EXPECT_THAT(RenderStatusText(BuildStatusModel(HostCollection().families(),
                                                1'800'000'000, &baseline)),
              ::testing::StartsWith("halfopen_exporter 0.1.0 (revision "
                                    "abc123), collected 2027-01-15 08:00:00 "
                                    "UTC after watching 2.0 s\n"));
}

TEST(StatusText, AnEmptyCollectionSaysSo) {
  const std::string text =
      RenderStatusText(BuildStatusModel({}, 1'800'000'000, nullptr));
  EXPECT_THAT(text, HasSubstr("Listeners\n(none)\n"));
  EXPECT_THAT(text, HasSubstr("Suspects: 0; idle without keepalive: 0\n"));
  EXPECT_THAT(text, HasSubstr("Kernel settings\n(none)\n"));
}

TEST(StatusJson, WritesLabelsAsStringsAndNeverAsNull) {
  const std::string json = RenderStatusJson(Host());
  EXPECT_THAT(json, HasSubstr("{\"family\":\"ipv4\",\"address\":\"127.0.0.1\","
                              "\"port\":\"8080\",\"queue_length\":3,"
                              "\"queue_limit\":2,\"max_fill_ratio\":1,"));
  EXPECT_THAT(json, HasSubstr("\"full_seconds_total\":null,"));
  EXPECT_THAT(json, HasSubstr("\"processes\":[{\"comm\":\"<b>x\","
                              "\"pid\":\"42\"}]"));
  EXPECT_THAT(json, HasSubstr("{\"reason\":\"peer_missing\",\"state\":"
                              "\"established\",\"local_port\":\"40000\","
                              "\"peer_port\":\"8080\",\"score\":0.9,"
                              "\"giveup_eta_seconds\":null,\"age_seconds\":125,"
                              "\"connections\":3}"));
  EXPECT_THAT(json, HasSubstr("{\"name\":\"sockets\",\"success\":false,"));
  EXPECT_THAT(json, Not(HasSubstr("\"netns\":\"\"")));
  EXPECT_THAT(json, Not(HasSubstr("inf")));
}

TEST(StatusJson, EscapesWhatJsonCannotHoldAsIs) {
  FamilyBuilder b;
  b.Gauge("halfopen_listen_process_info",
          {{"port", "80"}, {"comm", "a\"b\\c\n\x01"}, {"pid", "1"}}, 1);
  EXPECT_THAT(RenderStatusJson(BuildStatusModel(b.families(), 0, nullptr)),
              HasSubstr("\"comm\":\"a\\\"b\\\\c\\n\\u0001\""));
}

TEST(StatusFormat, DurationsReadAsAPersonWouldSayThem) {
  EXPECT_EQ(FormatDuration(16.6), "16.6 s");
  EXPECT_EQ(FormatDuration(63), "1 min 3 s");
  EXPECT_EQ(FormatDuration(924.6), "15 min 25 s");
  EXPECT_EQ(FormatDuration(7875), "2 h 11 min");
  EXPECT_EQ(FormatDuration(3 * 86400 + 4 * 3600 + 5), "3 d 4 h");
  EXPECT_EQ(FormatDuration(std::numeric_limits<double>::infinity()), "never");
}

TEST(StatusFormat, AnAgeReachingBackToTheFirstCollectionIsALowerBound) {
  StatusModel model;
  model.collected_unix_seconds = 1000;
  EXPECT_EQ(FormatAge(model, 100), "1 min 40 s");  // no baseline: unknown
  model.baseline_unix_seconds = 900;
  EXPECT_EQ(FormatAge(model, 99.8), "≥ 1 min 40 s");
  EXPECT_EQ(FormatAge(model, 30), "30.0 s");
}

TEST(StatusFormat, NumbersPercentsAndEndpoints) {
  EXPECT_EQ(FormatNumber(3), "3");
  EXPECT_EQ(FormatNumber(0.92), "0.92");
  EXPECT_EQ(FormatNumber(924.6), "924.6");
  EXPECT_EQ(FormatNumber(0.0004), "0");
  EXPECT_EQ(FormatPercent(0.996), "100%");
  StatusListener l;
  l.family = "ipv6";
  l.address = "::";
  l.port = "443";
  l.device = "eth0";
  EXPECT_EQ(ListenerEndpoint(l), "[::]:443%eth0");
  l.port = "other";
  EXPECT_EQ(ListenerEndpoint(l), "other listeners (folded)");
}

TEST(StatusFormat, NamespacesByNameThenPodThenProcess) {
  StatusModel model;
  model.namespaces = {{"1", "blue", "", "", "nginx"},
                      {"2", "", "6f1c2a3b-0000", "", "envoy"},
                      {"3", "", "", "", "systemd"}};
  EXPECT_EQ(NamespaceTitle(model, "1"), "blue (1)");
  EXPECT_EQ(NamespaceTitle(model, "2"), "pod 6f1c2a3b… (2)");
  EXPECT_EQ(NamespaceTitle(model, "3"), "systemd (3)");
  EXPECT_EQ(NamespaceTitle(model, "4"), "4");
}

}  // namespace
}  // namespace halfopen

namespace halfopen {
namespace {

// Two Unix listeners: php-fpm's socket full, an idle abstract one.
StatusModel UnixHost() {
  FamilyBuilder b;
  const LabelPairs fpm = {{"path", "/run/php/php8.2-fpm.sock"},
                          {"type", "stream"}};
  const LabelPairs idle = {{"path", "@idle"}, {"type", "seqpacket"}};
  b.Gauge("halfopen_unix_listen_queue_length", idle, 0)
      .Gauge("halfopen_unix_listen_queue_length", fpm, 512)
      .Gauge("halfopen_unix_listen_queue_limit", idle, 5)
      .Gauge("halfopen_unix_listen_queue_limit", fpm, 511)
      .Gauge("halfopen_unix_listen_queue_max_fill_ratio", idle, 0)
      .Gauge("halfopen_unix_listen_queue_max_fill_ratio", fpm, 1)
      .Gauge("halfopen_unix_listen_sockets", idle, 1)
      .Gauge("halfopen_unix_listen_sockets", fpm, 1)
      .Gauge("halfopen_unix_listen_process_info",
             {{"path", "/run/php/php8.2-fpm.sock"},
              {"type", "stream"},
              {"comm", "php-fpm8.2"},
              {"pid", "77"}},
             1)
      .Counter("halfopen_unix_listen_queue_full_seconds_total", fpm, 12.5);
  return BuildStatusModel(b.families(), 1'800'000'000, nullptr);
}

TEST(StatusText, ListsUnixListenersFullestFirstWithTheirProcesses) {
  const StatusModel model = UnixHost();
  ASSERT_EQ(model.unix_listeners.size(), 2u);
  EXPECT_EQ(model.unix_listeners[0].path, "/run/php/php8.2-fpm.sock");
  const std::string text = RenderStatusText(model);
  EXPECT_THAT(text, HasSubstr("Unix-domain listeners\n"));
  EXPECT_THAT(text, ::testing::ContainsRegex(
                        "/run/php/php8.2-fpm.sock +stream +512 +511 +100% +"
                        "12.5 s +- +1 +php-fpm8.2 \\(77\\)"));
  EXPECT_THAT(text, ::testing::ContainsRegex("@idle +seqpacket +0 +5 +0%"));
}

TEST(StatusJson, CarriesTheUnixListeners) {
  const std::string json = RenderStatusJson(UnixHost());
  EXPECT_THAT(json, HasSubstr("\"unix_listeners\":[{\"path\":\"/run/php/"
                              "php8.2-fpm.sock\",\"type\":\"stream\","
                              "\"queue_length\":512"));
  EXPECT_THAT(json, HasSubstr("\"processes\":[{\"comm\":\"php-fpm8.2\","
                              "\"pid\":\"77\"}]"));
}

}  // namespace
}  // namespace halfopen
