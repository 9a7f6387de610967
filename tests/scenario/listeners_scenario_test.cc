// Listener series on real servers: SO_REUSEPORT groups, SO_BINDTODEVICE,
// suspects that share their labels, and thousands of listeners.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

#include "tests/support/exporter_process.h"
#include "tests/support/exposition.h"
#include "tests/support/netns.h"
#include "tests/support/sockets.h"

namespace halfopen::testing {
namespace {

using std::chrono::seconds;

const char* const kPerListener[] = {"halfopen_listen_queue_length",
                                    "halfopen_listen_queue_limit",
                                    "halfopen_listen_queue_max_fill_ratio",
                                    "halfopen_listen_sockets",
                                    "halfopen_listen_syn_recv",
                                    "halfopen_listen_syn_recv_retransmitting"};

std::string PortLabel(int port) {
  return "port=\"" + std::to_string(port) + "\"";
}

// The sample lines of `metric` for listeners on `port`.
std::vector<std::string> OnPort(const std::string& body,
                                const std::string& metric, int port) {
  std::vector<std::string> lines;
  for (const std::string& line : SampleLines(body, metric)) {
    if (line.find(PortLabel(port)) != std::string::npos) lines.push_back(line);
  }
  return lines;
}

std::string AlertExpression(const std::string& name) {
  std::ifstream in(std::string(HALFOPEN_SOURCE_DIR) +
                   "/deploy/prometheus/halfopen-rules.yml");
  std::stringstream rules;
  rules << in.rdbuf();
  const std::string text = rules.str();
  std::smatch match;
  const std::regex alert("- alert: " + name + "\\n\\s+expr: ([^\\n]+)");
  return std::regex_search(text, match, alert) ? match[1].str() : "";
}

// The kernel's own view, from ss: the fullest member's length / (limit + 1)
// among the LISTEN sockets on `port`.
double KernelMaxFill(const NetNs& ns, int port) {
  std::string output;
  ns.Exec("ss -Hltn 'sport = :" + std::to_string(port) + "'", &output);
  std::istringstream lines(output);
  std::string state;
  double length = 0, limit = 0, fill = -1;
  while (lines >> state >> length >> limit) {
    fill = std::max(fill, length / (limit + 1));
    std::string rest;
    std::getline(lines, rest);
  }
  return fill;
}

TEST(ListenersScenario, ReuseportGroupIsOneSeriesAndItsFullMemberFires) {
  REQUIRE_NAMESPACES();
  NetNs ns("reuse");
  ASSERT_TRUE(ns.ok());
  ExporterProcess exporter(
      {"--collector.disable-defaults", "--collector.listeners"}, &ns);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  // Three members with different backlogs that never accept, and enough
  // clients that the kernel's hashing fills at least the smallest one.
  std::vector<Fd> members, clients;
  int port = 0;
  ns.Run([&] {
    for (const int backlog : {1, 4, 16}) {
      ListenOptions options;
      options.port = port;
      options.backlog = backlog;
      options.reuseport = true;
      members.push_back(ListenTcpWith(options, &port));
    }
    for (int i = 0; i < 40; ++i) {
      clients.push_back(ConnectNonBlocking("127.0.0.1", port));
    }
  });
  ASSERT_EQ(members.size(), 3u);
  for (const Fd& member : members) ASSERT_TRUE(member.valid());

  const std::string fill_series =
      "halfopen_listen_queue_max_fill_ratio{family=\"ipv4\",address=\"127.0."
      "0.1\"," +
      PortLabel(port) + "}";
  bool full = false;
  const std::string body = exporter.ScrapeUntil(
      [&](const std::string& b) {
        return SampleValue(b, fill_series).value_or(0) >= 1 &&
               KernelMaxFill(ns, port) >= 1;
      },
      seconds(10), &full);
  ASSERT_TRUE(full) << body;
  for (const char* metric : kPerListener) {
    EXPECT_EQ(OnPort(body, metric, port).size(), 1u) << metric << "\n" << body;
  }
  EXPECT_EQ(FindSample(body, "halfopen_listen_sockets", {PortLabel(port)}), 3);
  EXPECT_EQ(FindSample(body, "halfopen_listen_queue_limit", {PortLabel(port)}),
            1 + 4 + 16);

  // The rules' queue-full expression, evaluated by promtool on what was
  // scraped, returns exactly this listener.
  const std::string expr = AlertExpression("HalfopenListenQueueFull");
  ASSERT_FALSE(expr.empty());
  std::string output;
  EXPECT_EQ(
      PromtoolExpectQuery(
          SampleLines(body, "halfopen_listen_queue_max_fill_ratio"), expr,
          OnPort(body, "halfopen_listen_queue_max_fill_ratio", port), &output),
      0)
      << output;
}

TEST(ListenersScenario, ListenersBoundToDifferentDevicesAreDifferentSeries) {
  REQUIRE_NAMESPACES();
  NetNs ns("bind");
  ASSERT_TRUE(ns.ok());
  // This kernel has no dummy driver; one end of a veth pair will do.
  ASSERT_EQ(
      ns.Exec("ip link add d0 type veth peer name d1 && ip link set d0 up"), 0);
  ExporterProcess exporter(
      {"--collector.disable-defaults", "--collector.listeners"}, &ns);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  Fd on_lo, on_d0;
  int port = 0;
  ns.Run([&] {
    ListenOptions options;
    options.ip = "0.0.0.0";
    options.device = "lo";
    on_lo = ListenTcpWith(options, &port);
    options.port = port;
    options.device = "d0";
    on_d0 = ListenTcpWith(options, &port);
  });
  ASSERT_TRUE(on_lo.valid() && on_d0.valid());
  const HttpResponse response = exporter.Get("/metrics");
  ASSERT_EQ(response.status, 200);
  EXPECT_THAT(
      OnPort(response.body, "halfopen_listen_sockets", port),
      ::testing::UnorderedElementsAre(::testing::HasSubstr("device=\"lo\""),
                                      ::testing::HasSubstr("device=\"d0\"")));
}

TEST(ListenersScenario, SuspectsSharingTheirLabelsAreFoldedIntoOneSeries) {
  REQUIRE_NAMESPACES();
  NetNs ns("fold");
  ASSERT_TRUE(ns.ok());
  Fd listener;
  int port = 0;
  ns.Run([&] { listener = ListenTcp("127.0.0.1", 16, &port); });
  ASSERT_TRUE(listener.valid());
  // The listener's host drops every SYN: both clients stall in SYN_SENT.
  ASSERT_EQ(AddInputRule(ns, "tcp dport " + std::to_string(port) +
                                 " tcp flags syn drop"),
            0);
  ExporterProcess folded(
      {"--collector.disable-defaults", "--collector.halfopen"}, &ns);
  ExporterProcess apart({"--collector.disable-defaults", "--collector.halfopen",
                         "--suspects.expose-addresses"},
                        &ns);
  ASSERT_TRUE(folded.started() && apart.started());
  // Two clients on different addresses, from the same port.
  std::vector<Fd> clients;
  ns.Run([&] {
    for (const char* source : {"127.0.0.2", "127.0.0.3"}) {
      clients.push_back(ConnectFrom(source, 40123, "127.0.0.1", port));
    }
  });
  ASSERT_TRUE(clients[0].valid() && clients[1].valid());

  const std::vector<std::string> labels = {"reason=\"handshake_stalled\"",
                                           "local_port=\"40123\""};
  bool stalled = false;
  const std::string body = folded.ScrapeUntil(
      [&](const std::string& b) {
        return FindSample(b, "halfopen_suspect_score", labels).value_or(0) >=
                   0.5 &&
               FindSample(b, "halfopen_suspect_connections", labels) == 2;
      },
      seconds(10), &stalled);
  ASSERT_TRUE(stalled) << body;
  for (const char* metric :
       {"halfopen_suspect_score", "halfopen_suspect_giveup_eta_seconds",
        "halfopen_suspect_connections"}) {
    int series = 0;
    for (const std::string& line : SampleLines(body, metric)) {
      series += line.find("local_port=\"40123\"") != std::string::npos;
    }
    EXPECT_EQ(series, 1) << metric << "\n" << body;
  }
  EXPECT_GE(SampleValue(body, "halfopen_suspects{reason=\"handshake_stalled\"}")
                .value_or(0),
            2);

  // With addresses, the two connections are two series of one each.
  auto apart_labels = [](const char* source) {
    return std::vector<std::string>{
        "local_address=\"" + std::string(source) + "\"",
        "local_port=\"40123\""};
  };
  bool both = false;
  const std::string separate = apart.ScrapeUntil(
      [&](const std::string& b) {
        return FindSample(b, "halfopen_suspect_connections",
                          apart_labels("127.0.0.2")) == 1 &&
               FindSample(b, "halfopen_suspect_connections",
                          apart_labels("127.0.0.3")) == 1;
      },
      seconds(10), &both);
  EXPECT_TRUE(both) << separate;
}

// Raises the open-files limit so that one test process can hold thousands
// of sockets; restores it when destroyed.
class ManyFiles {
 public:
  explicit ManyFiles(rlim_t files) {
    getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit raised{files, std::max(files, saved_.rlim_max)};
    ok_ = setrlimit(RLIMIT_NOFILE, &raised) == 0;
  }
  ~ManyFiles() { setrlimit(RLIMIT_NOFILE, &saved_); }
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  bool ok_ = false;
};

TEST(ListenersScenario, ThousandsOfListenersAreCappedAndAFullOneIsKept) {
  REQUIRE_NAMESPACES();
  constexpr int kListeners = 2500;
  ManyFiles files(kListeners + 1000);
  ASSERT_TRUE(files.ok());
  NetNs ns("many");
  ASSERT_TRUE(ns.ok());
  std::vector<Fd> listeners, clients;
  Fd full;
  int full_port = 0;
  ns.Run([&] {
    for (int i = 0; i < kListeners; ++i) {
      int port = 0;
      listeners.push_back(ListenTcp("127.0.0.1", 16, &port));
    }
    full = ListenTcp("127.0.0.1", 1, &full_port);
    for (int i = 0; i < 3; ++i) {
      clients.push_back(ConnectNonBlocking("127.0.0.1", full_port));
    }
  });
  ASSERT_TRUE(std::all_of(listeners.begin(), listeners.end(),
                          [](const Fd& fd) { return fd.valid(); }));
  const std::vector<std::string> flags = {"--collector.disable-defaults",
                                          "--collector.listeners"};
  ExporterProcess capped(flags, &ns);
  ASSERT_TRUE(capped.started()) << capped.process().Stderr();
  std::string kernel_count;
  ns.Exec("ss -Hltn | wc -l", &kernel_count);
  const int total = std::stoi(kernel_count);  // ours, the full one, its own
  ASSERT_GE(total, kListeners + 2);

  const std::string full_fill = "halfopen_listen_queue_max_fill_ratio";
  bool kept = false;
  const std::string body = capped.ScrapeUntil(
      [&](const std::string& b) {
        return FindSample(b, full_fill, {PortLabel(full_port)}) >= 1;
      },
      seconds(10), &kept);
  EXPECT_TRUE(kept) << "the full listener was folded away";
  // 200 listeners of their own (the documented default) and "other".
  for (const char* metric : kPerListener) {
    EXPECT_EQ(CountSamples(body, metric), 201) << metric;
  }
  EXPECT_EQ(SampleValue(body, "halfopen_listen_groups{outcome=\"exported\"}"),
            200);
  EXPECT_EQ(SampleValue(body, "halfopen_listen_groups{outcome=\"folded\"}"),
            total - 200);
  EXPECT_TRUE(FindSample(body, "halfopen_listen_sockets", {"port=\"other\""})
                  .has_value());

  // Without the cap every listener gets its series: a body of over a
  // megabyte, which must arrive whole.
  std::vector<std::string> uncapped = flags;
  uncapped.push_back("--collector.listeners.max=100000");
  ExporterProcess all(uncapped, &ns);
  ASSERT_TRUE(all.started()) << all.process().Stderr();
  const HttpResponse whole = all.Get("/metrics");
  ASSERT_EQ(whole.status, 200) << whole.error;
  EXPECT_GT(whole.body.size(), 1u << 20);
  EXPECT_EQ(CountSamples(whole.body, "halfopen_listen_queue_limit"),
            total + 1);  // and this exporter's own listener

  // An include filter keeps exactly the named port.
  std::vector<std::string> only = flags;
  only.push_back("--collector.listeners.port-include=" +
                 std::to_string(full_port));
  ExporterProcess filtered(only, &ns);
  ASSERT_TRUE(filtered.started()) << filtered.process().Stderr();
  const HttpResponse response = filtered.Get("/metrics");
  ASSERT_EQ(response.status, 200);
  for (const char* metric : kPerListener) {
    EXPECT_THAT(
        SampleLines(response.body, metric),
        ::testing::ElementsAre(::testing::HasSubstr(PortLabel(full_port))))
        << metric;
  }
  EXPECT_EQ(SampleValue(response.body,
                        "halfopen_listen_groups{outcome=\"excluded\"}"),
            total + 1);  // all but it: those counted before and two exporters
}

}  // namespace
}  // namespace halfopen::testing
