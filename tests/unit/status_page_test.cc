#include "status/status_page.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/status_fixture.h"

namespace halfopen {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Page(const StatusModel& model, StatusPageOptions options = {}) {
  return RenderStatusPage(model, options);
}

StatusModel Host(const CounterBaseline* baseline = nullptr) {
  return BuildStatusModel(HostCollection().families(), 1'800'000'000, baseline);
}

TEST(StatusPage, EscapesAProcessNameThatLooksLikeMarkup) {
  const std::string page = Page(Host());
  EXPECT_THAT(page, HasSubstr("&lt;b&gt;x (42)"));
  EXPECT_THAT(page, Not(HasSubstr("<b>x")));
}

TEST(StatusPage, DrawsTheQueueAsABarAsWideAsTheFullestSocket) {
  const std::string page = Page(Host());
  EXPECT_THAT(page, HasSubstr("<td>127.0.0.1:8080</td><td><div class=\"bar\""));
  EXPECT_THAT(page, HasSubstr("<i class=\"full\" style=\"width:100%\"></i>"
                              "<span>3 / 2</span>"));
  EXPECT_THAT(page, HasSubstr("<td>[::]:443</td>"));
  EXPECT_THAT(page, HasSubstr("<i class=\"ok\" style=\"width:0%\"></i>"
                              "<span>0 / 128</span>"));
}

TEST(StatusPage, ShowsTheSamplersFiguresWhenItHasSampled) {
  const std::string page = Page(Host());
  EXPECT_THAT(page, HasSubstr("<th>Time full</th>"));
  EXPECT_THAT(page, HasSubstr("<td class=\"n\">2.5 s</td>"
                              "<td class=\"n\">129</td>"
                              "<td class=\"n\">1</td>"));
  FamilyBuilder unsampled;
  unsampled.Gauge("halfopen_listen_queue_length", {{"port", "80"}}, 0);
  EXPECT_THAT(Page(BuildStatusModel(unsampled.families(), 0, nullptr)),
              Not(HasSubstr("Time full")));
}

TEST(StatusPage, ShowsDropsOfTheLastMinuteWithTheTotalAsTitle) {
  CounterBaseline baseline;
  baseline.Observe(HostCollection(15, 40).families(), 1000);
  const std::string page = Page(
      BuildStatusModel(HostCollection(15, 52).families(), 1060, &baseline));
  EXPECT_THAT(page, HasSubstr("<th>Drops, last min</th>"));
  EXPECT_THAT(page,
              HasSubstr("<td class=\"n bad\" title=\"52 in all\">12</td>"));
  EXPECT_THAT(page, HasSubstr("<td class=\"n\" title=\"0 in all\">0</td>"));
  FamilyBuilder without;
  without.Gauge("halfopen_listen_queue_length", {{"port", "80"}}, 0);
  EXPECT_THAT(Page(BuildStatusModel(without.families(), 0, nullptr)),
              Not(HasSubstr("Drops")));
}

TEST(StatusPage, ListsSuspectsWithReasonEtaAndAge) {
  const std::string page = Page(Host());
  EXPECT_THAT(page, HasSubstr("Suspect connections: retransmit_stall 1, "
                              "peer_missing 3; 4 idle without keepalive."));
  EXPECT_THAT(page, HasSubstr(">retransmit_stall</td><td class=\"n\">0.92</td>"
                              "<td>established</td><td>port 52014</td>"
                              "<td>port 8443</td><td class=\"n\">16.6 s</td>"
                              "<td class=\"n\">9.0 s</td>"));
  EXPECT_THAT(page, HasSubstr(">peer_missing</td>"));
  EXPECT_THAT(page, HasSubstr("<td class=\"n\">never</td>"
                              "<td class=\"n\">2 min 5 s</td>"
                              "<td class=\"n\">3</td>"));
}

TEST(StatusPage, SummarySaysWhatIsWrongFirst) {
  EXPECT_THAT(Page(Host()),
              HasSubstr("<p class=\"summary\"><span class=\"bad\">1 listener "
                        "full</span> · <span class=\"bad\">4 suspect "
                        "connections</span> · <span class=\"bad\">failing: "
                        "sockets</span></p>"));
}

TEST(StatusPage, ShowsSettingsAndGiveUpTimesForAPerson) {
  const std::string page = Page(Host());
  EXPECT_THAT(page, HasSubstr("<td>tcp_retries2</td><td class=\"n\">15</td>"));
  EXPECT_THAT(page, HasSubstr("<td>data to a silent peer (tcp_retries2)</td>"
                              "<td class=\"n\">15 min 25 s</td>"));
}

TEST(StatusPage, NetstatChangesSinceTheBaselineComeFirst) {
  CounterBaseline baseline;
  baseline.Observe(HostCollection(10).families(), 1'799'999'000);
  const std::string page = Page(Host(&baseline));
  EXPECT_THAT(page, HasSubstr("Change since 2027-01-15 07:43:20 UTC"));
  EXPECT_THAT(page,
              HasSubstr("<td>listen_overflows_total</td>"
                        "<td class=\"n\">+5</td><td class=\"n\">15</td>"));
  EXPECT_THAT(page, HasSubstr("<details><summary>1 unchanged</summary>"));
}

TEST(StatusPage, RefreshesItselfAndLoadsNothingFromElsewhere) {
  StatusPageOptions options;
  options.refresh_seconds = 7;
  options.telemetry_path = "/custom";
  const std::string page = Page(Host(), options);
  EXPECT_THAT(page, HasSubstr("<meta http-equiv=\"refresh\" content=\"7\">"));
  EXPECT_THAT(page, HasSubstr("<a href=\"/custom\">/custom</a>"));
  EXPECT_THAT(page, Not(HasSubstr("<script")));
  EXPECT_THAT(page, Not(HasSubstr("src=")));
  EXPECT_THAT(page, Not(HasSubstr("<link")));
}

TEST(StatusPage, ShowsOnlyTheFullestListenersPastTheLimit) {
  StatusPageOptions options;
  options.max_listeners = 1;
  const std::string page = Page(Host(), options);
  EXPECT_THAT(page, HasSubstr("127.0.0.1:8080"));
  EXPECT_THAT(page, Not(HasSubstr("[::]:443")));
  EXPECT_THAT(page, HasSubstr("The 1 fullest of 2 listeners."));
}

TEST(StatusPage, NamesNamespacesWhenTheSeriesCarryThem) {
  FamilyBuilder b;
  b.Gauge("halfopen_listen_queue_length",
          {{"netns", "4026532281"}, {"family", "ipv4"}, {"port", "80"}}, 0)
      .Gauge("halfopen_netns_info", {{"netns", "4026532281"}, {"name", "blue"}},
             1);
  const std::string page = Page(BuildStatusModel(b.families(), 0, nullptr));
  EXPECT_THAT(page, HasSubstr("<th>Namespace</th><th>Listener</th>"));
  EXPECT_THAT(page, HasSubstr("<td>blue (4026532281)</td>"));
}

}  // namespace
}  // namespace halfopen
