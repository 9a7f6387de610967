#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/exporter_process.h"
#include "tests/support/exposition.h"

namespace halfopen::testing {
namespace {

using ::testing::HasSubstr;

std::string Recording(const std::string& name) {
  return std::string(HALFOPEN_SOURCE_DIR) + "/tests/fixtures/sockdiag/" + name;
}

class Replay : public ::testing::TestWithParam<const char*> {};

TEST_P(Replay, RecordedDumpScrapesToTheRecordedSockets) {
  ExporterProcess exporter(
      {"--collector.disable-defaults", "--collector.sockets",
       "--collector.listeners",
       "--collector.sockets.replay=" + Recording(GetParam())});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const HttpResponse response = exporter.Get("/metrics");
  ASSERT_EQ(response.status, 200) << response.error;
  const std::string& body = response.body;
  // What ss -tan saw in the recorded namespace (linux-*-ss.txt: the same
  // sockets on every kernel).
  EXPECT_EQ(SampleValue(body, "halfopen_tcp_connections{state=\"listen\"}"), 3);
  EXPECT_EQ(
      SampleValue(body, "halfopen_tcp_connections{state=\"established\"}"), 10);
  EXPECT_EQ(SampleValue(body, "halfopen_tcp_connections{state=\"syn_sent\"}"),
            3);
  EXPECT_EQ(SampleValue(body, "halfopen_sockdiag_sockets_scanned"), 16);
  EXPECT_EQ(SampleValue(body,
                        "halfopen_listen_queue_length{family=\"ipv4\",address="
                        "\"127.0.0.1\",port=\"40001\"}"),
            2);
  EXPECT_EQ(SampleValue(body,
                        "halfopen_listen_queue_limit{family=\"ipv4\",address="
                        "\"127.0.0.1\",port=\"40001\"}"),
            1);
  EXPECT_EQ(SampleValue(body,
                        "halfopen_listen_queue_limit{family=\"ipv6\",address="
                        "\"::\",port=\"40002\"}"),
            10);
  EXPECT_EQ(SampleValue(body, "halfopen_tcp_timers{timer=\"keepalive\"}"), 1);
  EXPECT_EQ(SampleValue(body, "halfopen_sockdiag_parse_errors_total"), 0);
  std::string promtool;
  EXPECT_EQ(PromtoolCheckMetrics(body, &promtool), 0) << promtool;
}

INSTANTIATE_TEST_SUITE_P(
    RequestModes, Replay,
    ::testing::Values("linux-6.18-legacy.diag", "linux-6.18-per-family.diag",
                      "linux-6.18-skmeminfo.diag", "linux-6.1-legacy.diag",
                      "linux-6.1-per-family.diag", "linux-6.1-skmeminfo.diag"));

TEST(ReplayErrors, MissingRecordingFailsBothSocketCollectorsOnly) {
  ExporterProcess exporter({"--collector.disable-defaults",
                            "--collector.sockets", "--collector.listeners",
                            "--collector.tcpsettings",
                            "--collector.sockets.replay=/nonexistent.diag"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const HttpResponse response = exporter.Get("/metrics");
  ASSERT_EQ(response.status, 200);
  for (const char* collector : {"sockets", "listeners"}) {
    EXPECT_EQ(SampleValue(response.body,
                          std::string("halfopen_scrape_collector_success{"
                                      "collector=\"") +
                              collector + "\"}"),
              0);
  }
  EXPECT_EQ(SampleValue(response.body,
                        "halfopen_scrape_collector_success{collector="
                        "\"tcpsettings\"}"),
            1);
  EXPECT_THAT(exporter.process().Stderr(),
              HasSubstr("inet_diag dump failed: cannot open recording "
                        "/nonexistent.diag: No such file or directory"));
}

TEST(ReplayErrors, UnknownRequestModeExitsTwo) {
  std::string output;
  EXPECT_EQ(
      RunCommand(ExporterPath() + " --collector.sockets.request=fast", &output),
      2);
  EXPECT_EQ(output,
            "halfopen_exporter: invalid value \"fast\" for flag "
            "--collector.sockets.request: want legacy or per-family\n");
}

}  // namespace
}  // namespace halfopen::testing
