#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/support/exporter_process.h"

namespace halfopen::testing {
namespace {

// Lines that change from run to run: timings, the git revision and the
// process's own CPU, memory, descriptors and start time.
bool IsVolatile(const std::string& line) {
  return line.find("halfopen_scrape_collector_duration_seconds{") !=
             std::string::npos ||
         line.find("halfopen_build_info{") != std::string::npos ||
         line.rfind("process_", 0) == 0;
}

std::string StripVolatile(const std::string& exposition) {
  std::istringstream in(exposition);
  std::string line, out;
  while (std::getline(in, line)) {
    if (!IsVolatile(line)) out += line + "\n";
  }
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class Golden : public ::testing::TestWithParam<const char*> {};

// Regenerate with: HALFOPEN_UPDATE_GOLDEN=1 ctest -R Golden
TEST_P(Golden, FixtureTreeScrapesToTheGoldenFile) {
  const std::string tree = GetParam();
  ExporterProcess exporter(
      {"--path.procfs=" + std::string(HALFOPEN_SOURCE_DIR) +
           "/tests/fixtures/procfs/" + tree,
       "--collector.disable-defaults", "--collector.netstat",
       "--collector.tcpsettings"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const HttpResponse response = exporter.Get("/metrics");
  ASSERT_EQ(response.status, 200) << response.error;
  std::string promtool;
  EXPECT_EQ(PromtoolCheckMetrics(response.body, &promtool), 0) << promtool;

  const std::string golden_path =
      std::string(HALFOPEN_SOURCE_DIR) + "/tests/golden/" + tree + ".prom";
  const std::string actual = StripVolatile(response.body);
  if (std::getenv("HALFOPEN_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden_path) << actual;
  }
  EXPECT_EQ(actual, ReadFile(golden_path))
      << "regenerate with HALFOPEN_UPDATE_GOLDEN=1 if the change is intended";
}

INSTANTIATE_TEST_SUITE_P(ProcfsFixtures, Golden,
                         ::testing::Values("linux-6.18", "linux-6.1",
                                           "linux-4.8"));

// Debian 12's 6.1 has no tcp_syn_linear_timeouts (Linux 6.5+): its series
// is absent, and the log says so once, not at every scrape.
TEST(Golden, ASettingTheKernelLacksIsNamedOnceInTheLog) {
  ExporterProcess exporter(
      {"--path.procfs=" + std::string(HALFOPEN_SOURCE_DIR) +
           "/tests/fixtures/procfs/linux-6.1",
       "--collector.disable-defaults", "--collector.tcpsettings"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  for (int i = 0; i < 3; ++i) {
    const HttpResponse response = exporter.Get("/metrics");
    ASSERT_EQ(response.status, 200) << response.error;
    EXPECT_THAT(response.body,
                ::testing::Not(::testing::HasSubstr(
                    "halfopen_kernel_tcp_syn_linear_timeouts ")));
    EXPECT_THAT(response.body,
                ::testing::HasSubstr("halfopen_kernel_syn_giveup_seconds 127"));
  }
  const std::string log = exporter.process().Stderr();
  const std::string line =
      "msg=\"kernel lacks some TCP settings\" sysctls=tcp_syn_linear_timeouts ";
  const std::size_t first = log.find(line);
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find(line, first + 1), std::string::npos) << log;
}

TEST(Golden, MalformedNetstatFailsOnlyThatCollectorAndNamesTheFile) {
  const std::string tree = std::string(HALFOPEN_SOURCE_DIR) +
                           "/tests/fixtures/procfs/malformed-netstat";
  ExporterProcess exporter({"--path.procfs=" + tree,
                            "--collector.disable-defaults",
                            "--collector.netstat", "--collector.tcpsettings"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const HttpResponse response = exporter.Get("/metrics");
  ASSERT_EQ(response.status, 200) << response.error;
  EXPECT_THAT(
      response.body,
      ::testing::HasSubstr(
          "halfopen_scrape_collector_success{collector=\"netstat\"} 0"));
  EXPECT_THAT(response.body,
              ::testing::HasSubstr("halfopen_scrape_collector_success{"
                                   "collector=\"tcpsettings\"} 1"));
  EXPECT_THAT(response.body,
              ::testing::HasSubstr("halfopen_kernel_tcp_retries2 15"));
  EXPECT_THAT(response.body,
              ::testing::Not(::testing::HasSubstr("halfopen_netstat_listen")));
  EXPECT_THAT(response.body,
              ::testing::HasSubstr("halfopen_scrape_collector_errors_total{"
                                   "collector=\"netstat\"} 1"));
  EXPECT_THAT(exporter.process().Stderr(),
              ::testing::HasSubstr(
                  "collector=netstat error=\"" + tree +
                  "/net/netstat line 2: TcpExt value line has 134 fields, "
                  "header line has 135\""));
}

}  // namespace
}  // namespace halfopen::testing
