// retransmit_stall against its targets (docs/suspicion-model.md): a peer
// that vanishes with data in flight scores 0.8 within 5 s of the first
// unanswered send on a clean path, and within 8 s after a lossy spell, for
// IPv4 and IPv6, as the median of several runs. The exporter scores at
// scrape time, so the tests scrape every 50 ms and time the first scrape
// at 0.8. HALFOPEN_DETECTION_RUNS, HALFOPEN_SPELL_LOSS_PERCENT and
// HALFOPEN_SPELL_SECONDS set a longer run.

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "collectors/decode/netlink_layout.h"
#include "tests/support/exporter_process.h"
#include "tests/support/exposition.h"
#include "tests/support/two_hosts.h"

namespace halfopen::testing {
namespace {

using Clock = std::chrono::steady_clock;

const std::vector<std::string> kFlags = {"--collector.disable-defaults",
                                         "--collector.halfopen"};

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::optional<double> StallScore(const std::string& body, int port) {
  return FindSample(body, "halfopen_suspect_score",
                    {"reason=\"retransmit_stall\"",
                     "local_port=\"" + std::to_string(port) + "\""});
}

// One connection whose peer has gone silent, from `since` on.
struct Watched {
  int port = 0;
  Clock::time_point since;
  double seconds = -1;  // until its score first reached 0.8
};

// Scrapes every 50 ms until every watched connection has scored 0.8 or
// `limit_seconds` have passed. Returns the last body.
std::string WatchUntilPointEight(const ExporterProcess& exporter,
                                 std::vector<Watched>* watched,
                                 double limit_seconds) {
  const auto start = Clock::now();
  std::string body;
  while (Since(start) < limit_seconds) {
    const HttpResponse response = exporter.Get("/metrics");
    if (response.status != 200) break;
    body = response.body;
    bool all = true;
    for (Watched& w : *watched) {
      if (w.seconds < 0 && StallScore(body, w.port).value_or(0) >= 0.8) {
        w.seconds = Since(w.since);
      }
      all = all && w.seconds >= 0;
    }
    if (all) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return body;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// "median 3.52 s, 3.48-3.61 s over 5 runs (3.48 3.52 …)".
std::string Describe(const std::vector<double>& seconds) {
  std::string runs;
  for (const double s : seconds) {
    char one[16];
    std::snprintf(one, sizeof one, "%s%.2f", runs.empty() ? "" : " ", s);
    runs += one;
  }
  char text[128];
  std::snprintf(
      text, sizeof text, "median %.2f s, %.2f-%.2f s over %zu runs",
      Median(seconds), *std::min_element(seconds.begin(), seconds.end()),
      *std::max_element(seconds.begin(), seconds.end()), seconds.size());
  return std::string(text) + " (" + runs + ")";
}

int Runs() {
  return std::max(
      1, static_cast<int>(NumberFromEnvironment("HALFOPEN_DETECTION_RUNS", 5)));
}

// The running kernel lays out the RTO counters where the decoder reads
// them: after a chain of timeouts on a fresh connection, tcpi_total_rto
// equals tcpi_retransmits and tcpi_total_rto_recoveries is 1.
void ExpectRtoCountersWhereTheDecoderReadsThem(int fd) {
  const auto info = TcpInfoBytes(fd);
  if (info.size() < 248) {
    std::printf("tcp_info is %zu bytes here: no RTO counters\n", info.size());
    return;
  }
  const auto retransmits = TcpInfoField(info, wire::kTcpiRetransmits.offset,
                                        wire::kTcpiRetransmits.size);
  ASSERT_TRUE(retransmits.has_value());
  EXPECT_GE(*retransmits, 4u);
  EXPECT_EQ(
      TcpInfoField(info, wire::kTcpiTotalRto.offset, wire::kTcpiTotalRto.size),
      *retransmits);
  EXPECT_EQ(TcpInfoField(info, wire::kTcpiTotalRtoRecoveries.offset,
                         wire::kTcpiTotalRtoRecoveries.size),
            1u);
  EXPECT_GT(TcpInfoField(info, wire::kTcpiTotalRtoTime.offset,
                         wire::kTcpiTotalRtoTime.size)
                .value_or(0),
            2000u);
}

class RetransmitScenario : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_NAMESPACES();
    ASSERT_EQ(hosts_.error(), "");
  }

  // Both families' connections, their peer vanished from `since` on;
  // returns the seconds each took to reach 0.8 (-1: not within the limit).
  std::vector<double> Detect(TwoHosts::Connection* v4, TwoHosts::Connection* v6,
                             const std::vector<Clock::time_point>& since,
                             const ExporterProcess& exporter, double limit) {
    std::vector<Watched> watched = {{v4->client_port, since[0]},
                                    {v6->client_port, since[1]}};
    last_body_ = WatchUntilPointEight(exporter, &watched, limit);
    return {watched[0].seconds, watched[1].seconds};
  }

  TwoHosts hosts_{"rto"};
  std::string last_body_;
};

TEST_F(RetransmitScenario,
       VanishedPeerIsPointEightWithinFiveSecondsOnACleanPath) {
  // tcp_retries2=6 gives the kernel 25.4 s from the first retransmission.
  ASSERT_EQ(hosts_.host().Exec("sysctl -qw net.ipv4.tcp_retries2=6"), 0);
  std::vector<double> v4_seconds, v6_seconds;
  for (int run = 0; run < Runs(); ++run) {
    ExporterProcess exporter(kFlags, &hosts_.host());
    ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
    TwoHosts::Connection v4 = hosts_.Connect(kPathIpv4);
    TwoHosts::Connection v6 = hosts_.Connect(kPathIpv6);
    ASSERT_TRUE(v4.ok() && v6.ok());
    ASSERT_TRUE(hosts_.Vanish(kPathIpv4) && hosts_.Vanish(kPathIpv6));
    const char data[] = "hello, is anyone there?";
    std::vector<Clock::time_point> since;
    for (const TwoHosts::Connection* c : {&v4, &v6}) {
      since.push_back(Clock::now());
      ASSERT_GT(send(c->client.get(), data, sizeof data, MSG_NOSIGNAL), 0);
    }
    const auto seconds = Detect(&v4, &v6, since, exporter, 10);
    ASSERT_GE(seconds[0], 0) << "ipv4 never reached 0.8\n" << last_body_;
    ASSERT_GE(seconds[1], 0) << "ipv6 never reached 0.8\n" << last_body_;
    v4_seconds.push_back(seconds[0]);
    v6_seconds.push_back(seconds[1]);
    if (run == 0) {
      const double eta =
          FindSample(last_body_, "halfopen_suspect_giveup_eta_seconds",
                     {"local_port=\"" + std::to_string(v4.client_port) + "\""})
              .value_or(-1);
      EXPECT_LE(eta, 25.4);
      EXPECT_GE(eta, 25.4 - Since(since[0]) - 1.0);
      ExpectRtoCountersWhereTheDecoderReadsThem(v4.client.get());
    }
    Abort(&v4);
    Abort(&v6);
    ASSERT_TRUE(hosts_.Heal());
  }
  std::printf(
      "retransmit_stall >= 0.8 after the first unanswered send, clean "
      "path: ipv4 %s; ipv6 %s\n",
      Describe(v4_seconds).c_str(), Describe(v6_seconds).c_str());
  EXPECT_LE(Median(v4_seconds), 5.0);
  EXPECT_LE(Median(v6_seconds), 5.0);
}

TEST_F(RetransmitScenario,
       VanishedPeerIsPointEightWithinEightSecondsAfterALossySpell) {
  const int loss =
      static_cast<int>(NumberFromEnvironment("HALFOPEN_SPELL_LOSS_PERCENT", 3));
  const double spell = NumberFromEnvironment("HALFOPEN_SPELL_SECONDS", 6);
  std::vector<double> v4_seconds, v6_seconds;
  double worst_during_spell = 0;
  for (int run = 0; run < Runs(); ++run) {
    ExporterProcess exporter(kFlags, &hosts_.host());
    ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
    TwoHosts::Connection v4 = hosts_.Connect(kPathIpv4);
    TwoHosts::Connection v6 = hosts_.Connect(kPathIpv6);
    ASSERT_TRUE(v4.ok() && v6.ok());
    BulkTransfer bulk4(&v4), bulk6(&v6);
    ASSERT_TRUE(hosts_.Lose(loss));
    // Scraped every second, as a Prometheus would: a live lossy path.
    for (const auto start = Clock::now(); Since(start) < spell;) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      worst_during_spell = std::max(
          worst_during_spell,
          MaxSample(exporter.Get("/metrics").body, "halfopen_suspect_score"));
    }
    ASSERT_TRUE(hosts_.Heal());
    ASSERT_TRUE(hosts_.Vanish(kPathIpv4) && hosts_.Vanish(kPathIpv6));
    const std::vector<Clock::time_point> since(2, Clock::now());
    const auto info = TcpInfoBytes(v4.client.get());
    const auto info6 = TcpInfoBytes(v6.client.get());
    const auto seconds = Detect(&v4, &v6, since, exporter, 15);
    // The target is the median: a run whose chain had already backed off
    // far during the spell (seen on a loaded host and under emulation) may
    // take longer than the limit, and counts as 99 s.
    v4_seconds.push_back(seconds[0] < 0 ? 99 : seconds[0]);
    v6_seconds.push_back(seconds[1] < 0 ? 99 : seconds[1]);
    std::printf("spell %d: ipv4 at the vanish %s; at the end %s\n", run,
                DescribeInfo(info).c_str(),
                DescribeInfo(TcpInfoBytes(v4.client.get())).c_str());
    std::printf("spell %d: ipv6 at the vanish %s; at the end %s\n", run,
                DescribeInfo(info6).c_str(),
                DescribeInfo(TcpInfoBytes(v6.client.get())).c_str());
    if (seconds[0] < 0 || seconds[1] < 0) {
      std::printf("spell %d: not 0.8 within 15 s; the last scrape:\n%s\n", run,
                  last_body_.c_str());
    }
    bulk4.Stop();
    bulk6.Stop();
    Abort(&v4);
    Abort(&v6);
    ASSERT_TRUE(hosts_.Heal());
  }
  std::printf(
      "retransmit_stall >= 0.8 after %d s at %d%% loss each way: "
      "ipv4 %s; ipv6 %s; highest score during the spells %.3f\n",
      static_cast<int>(spell), loss, Describe(v4_seconds).c_str(),
      Describe(v6_seconds).c_str(), worst_during_spell);
  EXPECT_LT(worst_during_spell, 0.5);
  EXPECT_LE(Median(v4_seconds), 8.0);
  EXPECT_LE(Median(v6_seconds), 8.0);
}

}  // namespace
}  // namespace halfopen::testing
