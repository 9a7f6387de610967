// The real binary over HTTP while its inputs break between scrapes: /proc
// files that vanish or come back empty, a sysctl with junk, a recording cut
// short or overwritten. The response is still 200 and valid exposition,
// only the collectors that read what broke fail, the failure is counted
// and logged, and the next scrape after the repair is whole.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "tests/support/exporter_process.h"
#include "tests/support/exposition.h"

namespace halfopen::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCollectors[] = {"halfopen", "listeners", "netns",
                                       "netstat",  "sockets",   "tcpsettings"};

struct BrokenInput {
  const char* name;
  const char* file;  // Below the test's directory.
  std::function<void(const fs::path&)> breaks;
  std::vector<std::string> failing;
  const char* logged;
};

void Write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

double Success(const std::string& body, const std::string& collector) {
  return SampleValue(body, "halfopen_scrape_collector_success{collector=\"" +
                               collector + "\"}")
      .value_or(-1);
}

class BrokenInputs : public ::testing::TestWithParam<BrokenInput> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("halfopen-e2e-faults-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const fs::path source(HALFOPEN_SOURCE_DIR);
    fs::copy(source / "tests/fixtures/procfs/linux-6.18", dir_ / "procfs",
             fs::copy_options::recursive);
    fs::copy(source / "tests/fixtures/sockdiag/linux-6.18-legacy.diag",
             dir_ / "dump.diag");
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_P(BrokenInputs, FailOnlyTheirCollectorsAndTheNextScrapeIsWhole) {
  const BrokenInput& input = GetParam();
  ExporterProcess exporter(
      {"--path.procfs=" + (dir_ / "procfs").string(),
       "--collector.sockets.replay=" + (dir_ / "dump.diag").string()});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const HttpResponse before = exporter.Get("/metrics");
  ASSERT_EQ(before.status, 200);
  for (const char* collector : kCollectors) {
    ASSERT_EQ(Success(before.body, collector), 1) << collector;
  }

  const fs::path file = dir_ / input.file;
  std::ifstream in(file, std::ios::binary);
  const std::string saved((std::istreambuf_iterator<char>(in)), {});
  input.breaks(file);
  const HttpResponse during = exporter.Get("/metrics");
  ASSERT_EQ(during.status, 200);
  std::string promtool;
  EXPECT_EQ(PromtoolCheckMetrics(during.body, &promtool), 0) << promtool;
  for (const char* collector : kCollectors) {
    const bool fails = std::find(input.failing.begin(), input.failing.end(),
                                 collector) != input.failing.end();
    EXPECT_EQ(Success(during.body, collector), fails ? 0 : 1) << collector;
  }
  EXPECT_THAT(exporter.process().Stderr(), ::testing::HasSubstr(input.logged));
  // What the collectors that kept working read is still served.
  if (Success(during.body, "netstat") == 1) {
    EXPECT_EQ(
        SampleValue(during.body, "halfopen_netstat_listen_overflows_total"),
        SampleValue(before.body, "halfopen_netstat_listen_overflows_total"));
  }
  if (Success(during.body, "sockets") == 1) {
    EXPECT_EQ(SampleValue(during.body,
                          "halfopen_tcp_connections{state=\"established\"}"),
              10);
  }

  Write(file, saved);
  const HttpResponse after = exporter.Get("/metrics");
  ASSERT_EQ(after.status, 200);
  for (const char* collector : kCollectors) {
    EXPECT_EQ(Success(after.body, collector), 1) << collector;
  }
  EXPECT_EQ(SampleValue(after.body,
                        "halfopen_tcp_connections{state=\"established\"}"),
            10);
}

const std::vector<std::string> kWalkers = {"halfopen", "listeners", "sockets"};

INSTANTIATE_TEST_SUITE_P(
    BetweenScrapes, BrokenInputs,
    ::testing::Values(
        BrokenInput{"NetstatVanishes",
                    "procfs/net/netstat",
                    [](const fs::path& file) { fs::remove(file); },
                    {"netstat"},
                    "net/netstat: No such file or directory"},
        BrokenInput{"SnmpComesBackEmpty",
                    "procfs/net/snmp",
                    [](const fs::path& file) { Write(file, ""); },
                    {"netstat"},
                    "net/snmp: empty file"},
        BrokenInput{"SysctlHoldsJunk",
                    "procfs/sys/net/ipv4/tcp_retries2",
                    [](const fs::path& file) { Write(file, "fifteen\n"); },
                    {"tcpsettings", "halfopen"},
                    "tcp_retries2: \\\"fifteen\\\" is not a whole number"},
        BrokenInput{"RecordingCutShort", "dump.diag",
                    [](const fs::path& file) { fs::resize_file(file, 1000); },
                    kWalkers, "dump.diag: truncated datagram"},
        BrokenInput{"RecordingOverwritten", "dump.diag",
                    [](const fs::path& file) {
                      Write(file, "HTTP/1.1 404 Not Found\r\n\r\n");
                    },
                    kWalkers, "dump.diag: not a halfopen diag recording"}),
    [](const ::testing::TestParamInfo<BrokenInput>& info) {
      return info.param.name;
    });

}  // namespace
}  // namespace halfopen::testing
