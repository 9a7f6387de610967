// Unix-domain listeners on a real kernel: a full stream listener in a named
// namespace, an abstract seqpacket one in another, a path unlinked while it
// listens and bound anew, and a burst between two scrapes.

#include <errno.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/exporter_process.h"
#include "tests/support/exposition.h"
#include "tests/support/netns.h"
#include "tests/support/process.h"
#include "tests/support/sockets.h"
#include "tests/support/unix_sockets.h"

namespace halfopen::testing {
namespace {

using std::chrono::seconds;

std::string Label(const std::string& name, const std::string& value) {
  return name + "=\"" + value + "\"";
}

// The expression of alert `name` in the shipped rules.
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

std::string OwnComm() {
  std::ifstream in("/proc/self/comm");
  std::string comm;
  std::getline(in, comm);
  return comm;
}

TEST(UnixScenario, FullStreamListenerIsBacklogPlusOneWithItsProcessNamed) {
  REQUIRE_NAMESPACES();
  NetNs ns("unix");
  ASSERT_TRUE(ns.ok());
  TempDir dir;
  const std::string path = dir.path() + "/app.sock";
  constexpr int kBacklog = 2;
  Fd listener;
  std::vector<Fd> clients;
  int refused = 0;
  ns.Run([&] {
    listener = ListenUnix(SOCK_STREAM, path, kBacklog);
    refused = ConnectUnix(SOCK_STREAM, path, kBacklog + 3, &clients);
  });
  ASSERT_TRUE(listener.valid()) << strerror(errno);
  // The kernel's own fact: backlog + 1 queue, the rest are refused.
  ASSERT_EQ(clients.size(), kBacklog + 1u);
  ASSERT_EQ(refused, 2);

  ExporterProcess exporter({"--collector.disable-defaults", "--collector.unix",
                            "--netns.scope=all"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const std::vector<std::string> labels = {
      Label("netns", ns.inode()), Label("path", path), Label("type", "stream")};
  bool seen = false;
  const std::string body = exporter.ScrapeUntil(
      [&](const std::string& b) {
        return FindSample(b, "halfopen_unix_listen_queue_length", labels)
                   .has_value() &&
               FindSample(b, "halfopen_unix_listen_process_info", labels)
                   .has_value();
      },
      seconds(15), &seen);
  ASSERT_TRUE(seen) << body;
  EXPECT_EQ(FindSample(body, "halfopen_unix_listen_queue_length", labels),
            kBacklog + 1);
  EXPECT_EQ(FindSample(body, "halfopen_unix_listen_queue_limit", labels),
            kBacklog);
  EXPECT_EQ(
      FindSample(body, "halfopen_unix_listen_queue_max_fill_ratio", labels), 1);
  EXPECT_EQ(FindSample(body, "halfopen_unix_listen_sockets", labels), 1);
  std::vector<std::string> owner = labels;
  owner.push_back(Label("comm", OwnComm()));
  owner.push_back(Label("pid", std::to_string(getpid())));
  EXPECT_EQ(FindSample(body, "halfopen_unix_listen_process_info", owner), 1)
      << body;
  EXPECT_EQ(FindSample(body, "halfopen_scrape_collector_success",
                       {Label("collector", "unix")}),
            1);
  EXPECT_THAT(DuplicateSeries(body), ::testing::IsEmpty());

  // The rules' expression, evaluated by promtool on what was scraped, picks
  // this listener among every one on the host.
  const std::string expr = AlertExpression("HalfopenUnixListenQueueFull");
  ASSERT_FALSE(expr.empty());
  std::vector<std::string> full;
  for (const std::string& line :
       SampleLines(body, "halfopen_unix_listen_queue_max_fill_ratio")) {
    if (line.find(Label("path", path)) != std::string::npos) {
      full.push_back(line);
    }
  }
  ASSERT_EQ(full.size(), 1u);
  std::string output;
  EXPECT_EQ(PromtoolExpectQuery(
                SampleLines(body, "halfopen_unix_listen_queue_max_fill_ratio"),
                expr, full, &output),
            0)
      << output;
}

TEST(UnixScenario, AbstractSeqpacketListenersAreSeparatedByNamespace) {
  REQUIRE_NAMESPACES();
  NetNs named("unixa");
  NetNs unnamed{NetNs::Unnamed{}};
  ASSERT_TRUE(named.ok());
  ASSERT_TRUE(unnamed.ok());
  const std::string name =
      std::string(1, '\0') + "hoe-seq-" + std::to_string(getpid());
  Fd in_named, in_unnamed;
  std::vector<Fd> clients;
  named.Run([&] { in_named = ListenUnix(SOCK_SEQPACKET, name, 7); });
  unnamed.Run([&] {
    in_unnamed = ListenUnix(SOCK_SEQPACKET, name, 3);
    ConnectUnix(SOCK_SEQPACKET, name, 1, &clients);
  });
  // The same abstract name binds in both: each namespace has its own.
  ASSERT_TRUE(in_named.valid());
  ASSERT_TRUE(in_unnamed.valid());
  ASSERT_EQ(clients.size(), 1u);

  // With the listeners collector's sampler, which samples each namespace's
  // Unix listeners from inside it.
  ExporterProcess exporter({"--collector.disable-defaults", "--collector.unix",
                            "--collector.listeners", "--netns.scope=all"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const std::string path = Label("path", "@" + name.substr(1));
  const std::string type = Label("type", "seqpacket");
  const std::vector<std::string> a = {Label("netns", named.inode()), path,
                                      type};
  const std::vector<std::string> b = {Label("netns", unnamed.inode()), path,
                                      type};
  bool seen = false;
  const std::string body = exporter.ScrapeUntil(
      [&](const std::string& m) {
        return FindSample(m, "halfopen_unix_listen_queue_limit", a) &&
               FindSample(m, "halfopen_unix_listen_queue_peak_length", b) == 1;
      },
      seconds(15), &seen);
  ASSERT_TRUE(seen) << body;
  EXPECT_EQ(FindSample(body, "halfopen_unix_listen_queue_limit", a), 7);
  EXPECT_EQ(FindSample(body, "halfopen_unix_listen_queue_length", a), 0);
  EXPECT_EQ(FindSample(body, "halfopen_unix_listen_queue_limit", b), 3);
  EXPECT_EQ(FindSample(body, "halfopen_unix_listen_queue_length", b), 1);
  EXPECT_EQ(FindSample(body, "halfopen_unix_listen_queue_max_fill_ratio", b),
            0.25);
  EXPECT_EQ(FindSample(body, "halfopen_unix_listen_queue_peak_length", a), 0);
}

TEST(UnixScenario, AnUnlinkedListenerStaysAndARebindMakesTwoSocketsOnThePath) {
  REQUIRE_NAMESPACES();
  NetNs ns("unixu");
  ASSERT_TRUE(ns.ok());
  TempDir dir;
  const std::string path = dir.path() + "/restart.sock";
  ExporterProcess exporter({"--collector.disable-defaults", "--collector.unix"},
                           &ns);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const std::vector<std::string> labels = {Label("path", path),
                                           Label("type", "stream")};
  Fd old_server, new_server;
  ns.Run([&] { old_server = ListenUnix(SOCK_STREAM, path, 4); });
  ASSERT_TRUE(old_server.valid());
  ASSERT_EQ(unlink(path.c_str()), 0);

  bool seen = false;
  std::string body = exporter.ScrapeUntil(
      [&](const std::string& m) {
        return FindSample(m, "halfopen_unix_listen_sockets", labels) == 1;
      },
      seconds(10), &seen);
  ASSERT_TRUE(seen) << body;
  EXPECT_EQ(FindSample(body, "halfopen_unix_listen_queue_limit", labels), 4);

  ns.Run([&] { new_server = ListenUnix(SOCK_STREAM, path, 8); });
  ASSERT_TRUE(new_server.valid());
  body = exporter.ScrapeUntil(
      [&](const std::string& m) {
        return FindSample(m, "halfopen_unix_listen_sockets", labels) == 2;
      },
      seconds(10), &seen);
  ASSERT_TRUE(seen) << body;
  EXPECT_EQ(FindSample(body, "halfopen_unix_listen_queue_limit", labels),
            4 + 8);
  EXPECT_EQ(CountSamples(body, "halfopen_unix_listen_sockets"), 1) << body;
}

// The sampler's interval (the default --collector.listeners.sample-interval).
constexpr double kSampleInterval = 0.1;

TEST(UnixScenario, ABurstBetweenTwoScrapesIsTimedAndPeakedByTheSampler) {
  REQUIRE_NAMESPACES();
  NetNs ns("unixb");
  ASSERT_TRUE(ns.ok());
  TempDir dir;
  const std::string path = dir.path() + "/burst.sock";
  constexpr int kBacklog = 2;
  Fd listener;
  ns.Run([&] { listener = ListenUnix(SOCK_STREAM, path, kBacklog); });
  ASSERT_TRUE(listener.valid());
  ExporterProcess exporter({"--collector.disable-defaults",
                            "--collector.listeners", "--collector.unix"},
                           &ns);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const std::vector<std::string> labels = {Label("path", path),
                                           Label("type", "stream")};
  // The first scrape asks the sampler for Unix listeners; wait until it
  // has sampled this one.
  bool ready = false;
  const std::string before = exporter.ScrapeUntil(
      [&](const std::string& body) {
        return FindSample(body, "halfopen_unix_listen_queue_peak_length",
                          labels)
            .has_value();
      },
      seconds(10), &ready);
  ASSERT_TRUE(ready) << before;
  const double full_before =
      FindSample(before, "halfopen_unix_listen_queue_full_seconds_total",
                 labels)
          .value_or(-1);
  ASSERT_EQ(full_before, 0) << before;

  // The burst: backlog + 1 clients fill the queue for about a second, then
  // the server accepts them all, and nothing of it is left to scrape.
  std::vector<Fd> clients;
  std::vector<Fd> accepted;
  std::chrono::steady_clock::time_point filled, drained;
  ns.Run([&] {
    ConnectUnix(SOCK_STREAM, path, kBacklog + 1, &clients);
    filled = std::chrono::steady_clock::now();
  });
  ASSERT_EQ(clients.size(), kBacklog + 1u);
  std::this_thread::sleep_for(seconds(1));
  for (int i = 0; i < kBacklog + 1; ++i) {
    accepted.emplace_back(accept(listener.get(), nullptr, nullptr));
    if (i == 0) drained = std::chrono::steady_clock::now();
  }
  ASSERT_TRUE(accepted.back().valid());
  const double full_seconds =
      std::chrono::duration<double>(drained - filled).count();
  std::this_thread::sleep_for(
      std::chrono::milliseconds(static_cast<int>(5 * kSampleInterval * 1000)));

  const HttpResponse response = exporter.Get("/metrics");
  ASSERT_EQ(response.status, 200) << response.error;
  const std::string& after = response.body;
  ASSERT_TRUE(FindSample(after, "halfopen_unix_listen_queue_length", labels)
                  .has_value())
      << after;
  EXPECT_EQ(FindSample(after, "halfopen_unix_listen_queue_length", labels), 0);
  const double full =
      FindSample(after, "halfopen_unix_listen_queue_full_seconds_total", labels)
          .value_or(-1);
  std::printf("unix burst: full %.3f s as the test saw it, %.3f s sampled\n",
              full_seconds, full);
  EXPECT_NEAR(full, full_seconds, 3 * kSampleInterval) << after;
  EXPECT_EQ(FindSample(after, "halfopen_unix_listen_queue_peak_length", labels),
            kBacklog + 1);
}

}  // namespace
}  // namespace halfopen::testing
