#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cctype>
#include <chrono>
#include <fstream>
#include <regex>

#include "tests/support/exporter_process.h"

namespace halfopen::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Gunzip(const std::string& data) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return "";
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string result;
  int code = Z_OK;
  while (code == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    code = inflate(&stream, Z_NO_FLUSH);
    result.append(out.data(), out.size() - stream.avail_out);
  }
  inflateEnd(&stream);
  return code == Z_STREAM_END ? result : "";
}

// A copy of a fixture procfs tree whose net/netstat is a FIFO nobody writes:
// opening it blocks forever, like a hung read.
class BlockingProcfs {
 public:
  BlockingProcfs() {
    char dir[] = "/tmp/halfopen-blocking-XXXXXX";
    dir_ = mkdtemp(dir);
    std::string output;
    RunCommand("cp -r " + std::string(HALFOPEN_SOURCE_DIR) +
                   "/tests/fixtures/procfs/linux-6.18/. " + dir_ + " && rm " +
                   dir_ + "/net/netstat",
               &output);
    fifo_ok_ = mkfifo((dir_ + "/net/netstat").c_str(), 0600) == 0;
  }
  ~BlockingProcfs() {
    std::string output;
    RunCommand("rm -rf " + dir_, &output);
  }
  bool ok() const { return fifo_ok_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  bool fifo_ok_ = false;
};

std::string SuccessLine(const std::string& collector, int value) {
  return "halfopen_scrape_collector_success{collector=\"" + collector + "\"} " +
         std::to_string(value);
}

TEST(Http, ServesMetricsThatPromtoolAccepts) {
  ExporterProcess exporter({});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const HttpResponse response = exporter.Get("/metrics");
  ASSERT_EQ(response.status, 200) << response.error;
  EXPECT_THAT(response.headers, HasSubstr("Content-Type: text/plain"));
  EXPECT_THAT(response.body,
              ContainsRegex("halfopen_build_info\\{version=\"[0-9.]+\","
                            "revision=\"([0-9a-f]+|unknown)\"\\} 1"));
  std::string promtool;
  EXPECT_EQ(PromtoolCheckMetrics(response.body, &promtool), 0) << promtool;
}

TEST(Http, ServesLandingPageHealthAndNotFound) {
  ExporterProcess exporter({"--web.telemetry-path=/custom"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const HttpResponse landing = exporter.Get("/");
  ASSERT_EQ(landing.status, 200) << landing.error;
  EXPECT_THAT(landing.headers, HasSubstr("text/html"));
  EXPECT_THAT(landing.body, HasSubstr("<a href=\"/custom\">/custom</a>"));
  const HttpResponse healthy = exporter.Get("/-/healthy");
  EXPECT_EQ(healthy.status, 200);
  EXPECT_EQ(exporter.Get("/custom").status, 200);
  EXPECT_EQ(exporter.Get("/metrics").status, 404);
  EXPECT_EQ(exporter.Get("/no/such/page").status, 404);
}

// The alerts' runbook_url points at /runbook#<alert in lower case>: every
// alert in the shipped rules must land on a section of the served page.
TEST(Http, ServesTheRunbookWithASectionForEveryAlert) {
  ExporterProcess exporter({});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const HttpResponse runbook = exporter.Get("/runbook");
  ASSERT_EQ(runbook.status, 200) << runbook.error;
  EXPECT_THAT(runbook.headers, HasSubstr("text/html"));
  EXPECT_THAT(exporter.Get("/").body, HasSubstr("href=\"/runbook\""));

  std::ifstream rules(std::string(HALFOPEN_SOURCE_DIR) +
                      "/deploy/prometheus/halfopen-rules.yml");
  const std::regex alert_line(R"(^\s*- alert: (\w+))");
  std::string line;
  int alerts = 0;
  while (std::getline(rules, line)) {
    std::smatch match;
    if (!std::regex_search(line, match, alert_line)) continue;
    ++alerts;
    std::string anchor = match[1];
    for (char& c : anchor) c = static_cast<char>(std::tolower(c));
    EXPECT_THAT(runbook.body, HasSubstr("<h2 id=\"" + anchor + "\">" +
                                        std::string(match[1]) + "</h2>"));
  }
  EXPECT_GE(alerts, 9);
}

TEST(Http, GzipsTheMetricsWhenTheClientAcceptsIt) {
  ExporterProcess exporter({});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const HttpResponse gzipped =
      exporter.Request("GET", "/metrics", {"Accept-Encoding: gzip"});
  ASSERT_EQ(gzipped.status, 200) << gzipped.error;
  EXPECT_EQ(HeaderValue(gzipped, "Content-Encoding"), "gzip");
  EXPECT_EQ(HeaderValue(gzipped, "Content-Length"),
            std::to_string(gzipped.body.size()));
  const std::string text = Gunzip(gzipped.body);
  EXPECT_THAT(text, HasSubstr("# TYPE halfopen_build_info gauge"));
  std::string promtool;
  EXPECT_EQ(PromtoolCheckMetrics(text, &promtool), 0) << promtool;

  const HttpResponse refused =
      exporter.Request("GET", "/metrics", {"Accept-Encoding: gzip;q=0"});
  EXPECT_EQ(HeaderValue(refused, "Content-Encoding"), "");
  EXPECT_THAT(refused.body, HasSubstr("# TYPE halfopen_build_info gauge"));
}

// The exporter's own listener is in its own namespace's socket table, so
// its status page shows it, held by the exporter itself.
TEST(Http, ServesAStatusPageOfTheCollectionLinkedFromTheLandingPage) {
  ExporterProcess exporter({});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  EXPECT_THAT(exporter.Get("/").body, HasSubstr("<a href=\"/status\">"));
  const HttpResponse first = exporter.Get("/status");
  ASSERT_EQ(first.status, 200) << first.error;
  EXPECT_THAT(first.headers, HasSubstr("Content-Type: text/html"));
  EXPECT_EQ(HeaderValue(first, "Cache-Control"), "no-store");
  const std::string self = "127.0.0.1:" + std::to_string(exporter.port());
  EXPECT_THAT(first.body, HasSubstr("<td>" + self + "</td>"));
  EXPECT_THAT(first.body,
              ContainsRegex(self + "</td>.*halfopen_export \\(" +
                            std::to_string(exporter.process().pid()) + "\\)"));
  EXPECT_THAT(first.body, HasSubstr("<td>netstat</td><td>ok</td>"));
  // The first collection set the counters' baseline; the next shows it.
  const HttpResponse second = exporter.Get("/status");
  EXPECT_THAT(second.body, ContainsRegex("Change since [-0-9]+ [:0-9]+ UTC"));
  const HttpResponse gzipped =
      exporter.Request("GET", "/status", {"Accept-Encoding: gzip"});
  EXPECT_EQ(HeaderValue(gzipped, "Content-Encoding"), "gzip");
  EXPECT_THAT(Gunzip(gzipped.body), HasSubstr("<h2 id=\"suspects\">"));
}

TEST(Http, HeadAnswersWithoutCollectingAndOtherMethodsGet405) {
  BlockingProcfs procfs;
  ASSERT_TRUE(procfs.ok());
  // Any collection would block on the FIFO for the whole scrape timeout.
  ExporterProcess exporter(
      {"--path.procfs=" + procfs.dir(), "--scrape.timeout=60"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const auto start = steady_clock::now();
  const HttpResponse head = exporter.Request("HEAD", "/metrics");
  const HttpResponse head_status = exporter.Request("HEAD", "/status");
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_EQ(head.status, 200) << head.error;
  EXPECT_THAT(head.headers,
              HasSubstr("Content-Type: text/plain; version=0.0.4"));
  EXPECT_EQ(head.body, "");
  ASSERT_EQ(head_status.status, 200) << head_status.error;
  EXPECT_THAT(head_status.headers, HasSubstr("Content-Type: text/html"));
  EXPECT_EQ(head_status.body, "");
  for (const char* method : {"POST", "PUT", "DELETE"}) {
    const HttpResponse response = exporter.Request(method, "/metrics");
    EXPECT_EQ(response.status, 405) << method;
    EXPECT_EQ(HeaderValue(response, "Allow"), "GET, HEAD") << method;
  }
}

TEST(Http, ServesClientGolangProcessMetrics) {
  ExporterProcess exporter({});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const std::string body = exporter.Get("/metrics").body;
  for (const char* metric :
       {"process_cpu_seconds_total", "process_resident_memory_bytes",
        "process_virtual_memory_bytes", "process_virtual_memory_max_bytes",
        "process_open_fds", "process_max_fds", "process_start_time_seconds"}) {
    EXPECT_THAT(body,
                ContainsRegex(std::string("\n") + metric + " [0-9.e+]+\n"))
        << metric;
  }
  std::smatch match;
  ASSERT_TRUE(std::regex_search(
      body, match, std::regex("\nprocess_start_time_seconds ([0-9.e+]+)")));
  const double started = std::stod(match[1]);
  const double now = std::chrono::duration<double>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  EXPECT_NEAR(started, now, 60);
  ASSERT_TRUE(std::regex_search(
      body, match, std::regex("\nprocess_resident_memory_bytes ([0-9.e+]+)")));
  EXPECT_GT(std::stod(match[1]), 1e6);
}

TEST(Http, ScrapeEndsAtTheScrapersDeadlineWhenAReadBlocks) {
  BlockingProcfs procfs;
  ASSERT_TRUE(procfs.ok());
  ExporterProcess exporter({"--path.procfs=" + procfs.dir(),
                            "--collector.disable-defaults",
                            "--collector.netstat", "--collector.tcpsettings"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  auto start = steady_clock::now();
  const HttpResponse first = exporter.Request(
      "GET", "/metrics", {"X-Prometheus-Scrape-Timeout-Seconds: 1"});
  const auto first_took = steady_clock::now() - start;
  ASSERT_EQ(first.status, 200) << first.error;
  EXPECT_GE(first_took, milliseconds(850));
  EXPECT_LT(first_took, milliseconds(5000));
  EXPECT_THAT(first.body, HasSubstr(SuccessLine("netstat", 0)));
  EXPECT_THAT(first.body, HasSubstr(SuccessLine("tcpsettings", 1)));

  // The next scrape does not wait for the blocked read: it reports it.
  start = steady_clock::now();
  const HttpResponse second = exporter.Request(
      "GET", "/metrics", {"X-Prometheus-Scrape-Timeout-Seconds: 10"});
  EXPECT_LT(steady_clock::now() - start, milliseconds(5000));
  EXPECT_THAT(second.body, HasSubstr(SuccessLine("netstat", 0)));
  EXPECT_THAT(second.body, HasSubstr(SuccessLine("tcpsettings", 1)));
  EXPECT_THAT(second.body,
              HasSubstr("halfopen_scrape_collector_errors_total{collector="
                        "\"netstat\"} 2"));
  EXPECT_THAT(exporter.process().Stderr(),
              HasSubstr("msg=\"collector failed\" collector=netstat "
                        "error=\"still running at the scrape's deadline"));
}

TEST(Http, CollectorThatFindsNoInputReportsFailure) {
  ExporterProcess exporter({"--path.procfs=/nonexistent"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const std::string body = exporter.Get("/metrics").body;
  EXPECT_THAT(body, HasSubstr(SuccessLine("tcpsettings", 0)));
  EXPECT_THAT(body, HasSubstr(SuccessLine("netstat", 0)));
  EXPECT_THAT(body, Not(HasSubstr("halfopen_kernel_")));
  EXPECT_THAT(exporter.process().Stderr(),
              HasSubstr("collector=tcpsettings error=\"no TCP sysctl found "
                        "under /nonexistent/sys/net"));
}

// Sends `signal_number` and returns how long the exporter took to exit.
milliseconds StopTime(ExporterProcess* exporter, int signal_number, int* code) {
  const auto start = steady_clock::now();
  *code = exporter->process().Stop(signal_number, std::chrono::seconds(10));
  return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
}

TEST(Http, StopsCleanlyWithinHalfASecondOfSigtermOrSigint) {
  for (int signal_number : {SIGTERM, SIGINT}) {
    ExporterProcess exporter({});
    ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
    ASSERT_EQ(exporter.Get("/metrics").status, 200);
    int code = -1;
    EXPECT_LT(StopTime(&exporter, signal_number, &code), milliseconds(500));
    EXPECT_EQ(code, 0);
    EXPECT_THAT(exporter.process().Stderr(),
                ContainsRegex("msg=\"shutting down\" signal=SIG(TERM|INT)"));
    EXPECT_THAT(exporter.process().Stderr(), HasSubstr("msg=\"stopped\""));
  }
}

TEST(Http, StopsWithinHalfASecondEvenWhileACollectorIsStuck) {
  BlockingProcfs procfs;
  ASSERT_TRUE(procfs.ok());
  ExporterProcess exporter({"--path.procfs=" + procfs.dir()});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  exporter.Request("GET", "/metrics",
                   {"X-Prometheus-Scrape-Timeout-Seconds: 0.5"});
  int code = -1;
  EXPECT_LT(StopTime(&exporter, SIGTERM, &code), milliseconds(500));
  EXPECT_EQ(code, 0);
  EXPECT_THAT(exporter.process().Stderr(),
              HasSubstr("msg=\"stopped before every request and collector "
                        "ended\" budget_ms=300"));
}

TEST(Http, JsonLogLinesHaveOneMemberPerField) {
  ExporterProcess exporter({"--log.format=json"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  EXPECT_THAT(exporter.process().Stderr(),
              ContainsRegex("\\{\"ts\":\"[^\"]+\",\"level\":\"info\","
                            "\"msg\":\"listening\",\"address\":\"127.0.0.1\","
                            "\"port\":[0-9]+,\"telemetry_path\":\"/metrics\","
                            "\"tls\":false,"));
}

}  // namespace
}  // namespace halfopen::testing
