// What the shipped deployment files grant for --netns.scope=all is enough,
// and each capability is needed for what the documentation says: a user
// that is not root, holding exactly CAP_SYS_ADMIN and CAP_SYS_PTRACE, sees
// every namespace and its counters; with CAP_DAC_READ_SEARCH too (what
// deploy/systemd/netns-all.conf gives the unit's dynamic user, and what the
// DaemonSet adds) also which program holds each listener.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/exporter_process.h"
#include "tests/support/exposition.h"
#include "tests/support/netns.h"
#include "tests/support/sockets.h"

namespace halfopen::testing {
namespace {

using std::chrono::seconds;

// nobody with exactly `capabilities` (setpriv's names), ambient so that they
// survive the exec, as AmbientCapabilities= makes them.
std::vector<std::string> NobodyWith(const std::string& capabilities) {
  return {"setpriv",
          "--reuid=nobody",
          "--regid=nogroup",
          "--clear-groups",
          "--inh-caps=-all," + capabilities,
          "--ambient-caps=-all," + capabilities,
          "--bounding-set=-all," + capabilities};
}

// A pod-like namespace held by a process of its own, with a listener that
// this test (root) holds, and an exporter in the host's namespace with
// --netns.scope=all as nobody with `capabilities`. Returns the first
// scrape that shows the pod's listener.
struct Pod {
  NetNs ns{NetNs::Unnamed{}};
  Fd listener;
  int port = 0;
  std::vector<std::string> At() const {
    return {"netns=\"" + ns.inode() + "\"",
            "port=\"" + std::to_string(port) + "\""};
  }
};

std::string ScrapeThePod(const ExporterProcess& exporter, const Pod& pod,
                         bool* seen) {
  return exporter.ScrapeUntil(
      [&](const std::string& body) {
        return FindSample(body, "halfopen_listen_queue_limit", pod.At())
            .has_value();
      },
      seconds(10), seen);
}

void ExpectEveryCollectorSucceeds(const std::string& body,
                                  const std::string& log) {
  const auto successes = SampleLines(body, "halfopen_scrape_collector_success");
  ASSERT_GE(successes.size(), 6u);
  for (const std::string& line : successes) {
    EXPECT_THAT(line, ::testing::EndsWith(" 1")) << log;
  }
}

// CAP_SYS_ADMIN and CAP_SYS_PTRACE: every namespace, its queues and
// counters. The programs of other users' listeners are missing, and the log
// says once which capability would name them.
TEST(PrivilegesScenario, TwoCapabilitiesAreEnoughForEveryNamespace) {
  REQUIRE_NAMESPACES();
  Pod pod;
  ASSERT_TRUE(pod.ns.ok());
  pod.ns.Run([&] { pod.listener = ListenTcp("127.0.0.1", 5, &pod.port); });
  ASSERT_TRUE(pod.listener.valid());
  ExporterProcess exporter({"--netns.scope=all"}, nullptr,
                           NobodyWith("+sys_admin,+sys_ptrace"));
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  bool seen = false;
  const std::string body = ScrapeThePod(exporter, pod, &seen);
  ASSERT_TRUE(seen) << body << exporter.process().Stderr();
  EXPECT_EQ(FindSample(body, "halfopen_listen_queue_limit", pod.At()), 5);
  EXPECT_EQ(
      FindSample(body, "halfopen_netns_info", {pod.At()[0], "comm=\"sleep\""}),
      1);
  EXPECT_TRUE(
      FindSample(body, "halfopen_netstat_listen_overflows_total", {pod.At()[0]})
          .has_value());
  ExpectEveryCollectorSucceeds(body, exporter.process().Stderr());
  EXPECT_FALSE(
      FindSample(body, "halfopen_listen_process_info", pod.At()).has_value());
  EXPECT_THAT(exporter.process().Stderr(),
              ::testing::HasSubstr("CAP_DAC_READ_SEARCH"));
}

// With CAP_DAC_READ_SEARCH too (root-owned /proc/<pid>/fd is mode 0500):
// the program holding each listener as well.
TEST(PrivilegesScenario, ThreeCapabilitiesNameEveryListenersProgram) {
  REQUIRE_NAMESPACES();
  Pod pod;
  ASSERT_TRUE(pod.ns.ok());
  pod.ns.Run([&] { pod.listener = ListenTcp("127.0.0.1", 5, &pod.port); });
  ASSERT_TRUE(pod.listener.valid());
  ExporterProcess exporter(
      {"--netns.scope=all"}, nullptr,
      NobodyWith("+sys_admin,+sys_ptrace,+dac_read_search"));
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  bool seen = false;
  const std::string body = exporter.ScrapeUntil(
      [&](const std::string& b) {
        return FindSample(b, "halfopen_listen_process_info", pod.At())
            .has_value();
      },
      seconds(10), &seen);
  ASSERT_TRUE(seen) << body << exporter.process().Stderr();
  // The program: this test, which holds the listener's socket.
  std::vector<std::string> labels = pod.At();
  labels.push_back("pid=\"" + std::to_string(getpid()) + "\"");
  EXPECT_EQ(FindSample(body, "halfopen_listen_process_info", labels), 1);
  ExpectEveryCollectorSucceeds(body, exporter.process().Stderr());
  EXPECT_THAT(exporter.process().Stderr(),
              ::testing::Not(::testing::HasSubstr("CAP_")));
}

}  // namespace
}  // namespace halfopen::testing
