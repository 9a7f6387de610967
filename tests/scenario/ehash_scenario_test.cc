// Namespaces with and without a TCP established hash table of their own
// (net.ipv4.tcp_child_ehash_entries, Linux 6.1+), as the exporter reports
// them from the root namespace, and a parallel walk of many namespaces that
// keeps each one's sockets apart. The tables are sized in a creator
// namespace of the test's own: the host's setting is never touched, so
// namespaces other people create meanwhile are not affected.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/exporter_process.h"
#include "tests/support/exposition.h"
#include "tests/support/netns.h"
#include "tests/support/sockets.h"

namespace halfopen::testing {
namespace {

using std::chrono::seconds;

constexpr int kEhashEntries = 1024;

std::string Netns(const NetNs& ns) { return "netns=\"" + ns.inode() + "\""; }

// A pod-like namespace holding a listener and `connections` accepted
// connections on its loopback.
struct Pod {
  std::unique_ptr<NetNs> ns;
  Fd listener;
  std::vector<Fd> ends;
  int connections = 0;

  Pod(std::unique_ptr<NetNs> made, int count)
      : ns(std::move(made)), connections(count) {
    ns->Run([&] {
      int port = 0;
      listener = ListenTcp("127.0.0.1", 64, &port);
      for (int i = 0; i < count; ++i) {
        ends.push_back(ConnectBlocking("127.0.0.1", port));
        ends.push_back(Accept(listener));
      }
    });
  }
  bool ok() const {
    if (!ns->ok() || !listener.valid()) return false;
    for (const Fd& end : ends) {
      if (!end.valid()) return false;
    }
    return true;
  }
};

// net.ipv4.tcp_ehash_entries inside `ns`; empty on kernels without it.
std::string EhashEntries(const NetNs& ns) {
  std::string output;
  if (ns.Exec("cat /proc/sys/net/ipv4/tcp_ehash_entries", &output) != 0) {
    return "";
  }
  return output;
}

bool KernelHasPerNamespaceTables() {
  return std::filesystem::exists("/proc/sys/net/ipv4/tcp_child_ehash_entries");
}

TEST(EhashScenario,
     OwnAndSharedTablesAreReportedAndParallelWalksKeepSocketsApart) {
  REQUIRE_NAMESPACES();
  const bool per_namespace = KernelHasPerNamespaceTables();
  // The creator: its tcp_child_ehash_entries sizes the tables of the
  // namespaces created from inside it; set only around their creation.
  NetNs creator("ehcreator");
  ASSERT_TRUE(creator.ok());
  std::vector<Pod> pods;
  pods.reserve(6);
  if (per_namespace) {
    ASSERT_EQ(creator.Exec("sysctl -qw net.ipv4.tcp_child_ehash_entries=" +
                           std::to_string(kEhashEntries)),
              0);
  }
  for (int i = 0; i < 3; ++i) {
    pods.emplace_back(std::make_unique<NetNs>("ehown", creator), i + 1);
  }
  if (per_namespace) {
    ASSERT_EQ(creator.Exec("sysctl -qw net.ipv4.tcp_child_ehash_entries=0"), 0);
  }
  for (int i = 3; i < 6; ++i) {
    pods.emplace_back(std::make_unique<NetNs>("ehshared", creator), i + 1);
  }
  for (const Pod& pod : pods) ASSERT_TRUE(pod.ok()) << pod.ns->name();
  if (per_namespace) {
    // The kernel's own word, before the exporter's.
    EXPECT_EQ(EhashEntries(*pods[0].ns), std::to_string(kEhashEntries) + "\n");
    EXPECT_EQ(EhashEntries(*pods[3].ns).front(), '-');
  }

  ExporterProcess exporter({"--netns.scope=all", "--netns.walkers=3"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  // A walk's duration is reported from the scrape after it (the netns
  // collector may run before the scrape's walks end).
  bool seen = false;
  const std::string body = exporter.ScrapeUntil(
      [&](const std::string& m) {
        for (const Pod& pod : pods) {
          if (!FindSample(m, "halfopen_tcp_connections",
                          {Netns(*pod.ns), "state=\"established\""}) ||
              !FindSample(m, "halfopen_netns_full_walk_duration_seconds",
                          {Netns(*pod.ns)})) {
            return false;
          }
        }
        return true;
      },
      seconds(20), &seen);
  ASSERT_TRUE(seen) << body << exporter.process().Stderr();

  for (std::size_t i = 0; i < pods.size(); ++i) {
    const Pod& pod = pods[i];
    const std::string netns = Netns(*pod.ns);
    // Both ends of each connection, and its one listener: nobody else's.
    EXPECT_EQ(FindSample(body, "halfopen_tcp_connections",
                         {netns, "state=\"established\""}),
              2 * pod.connections)
        << pod.ns->name();
    EXPECT_EQ(FindSample(body, "halfopen_tcp_connections",
                         {netns, "state=\"listen\""}),
              1)
        << pod.ns->name();
    const auto walked =
        FindSample(body, "halfopen_netns_full_walk_duration_seconds", {netns});
    ASSERT_TRUE(walked.has_value()) << pod.ns->name();
    EXPECT_GT(*walked, 0);
    const auto shared =
        FindSample(body, "halfopen_netns_tcp_ehash_shared", {netns});
    if (!per_namespace) {
      EXPECT_FALSE(shared.has_value()) << "no guessing before Linux 6.1";
      continue;
    }
    ASSERT_TRUE(shared.has_value()) << pod.ns->name() << "\n" << body;
    EXPECT_EQ(*shared, i < 3 ? 0 : 1) << pod.ns->name();
  }
  const auto other_seconds =
      SampleValue(body, "halfopen_netns_other_walks_seconds_total");
  ASSERT_TRUE(other_seconds.has_value()) << body;
  EXPECT_GT(*other_seconds, 0);
  EXPECT_EQ(SampleValue(body,
                        "halfopen_scrape_collector_success{collector="
                        "\"netns\"}"),
            1);
  // Namespaces sharing the host's table are told about once, at start-up.
  const std::string log = exporter.process().Stderr();
  const std::string notice =
      per_namespace ? "share the host's TCP connection hash table"
                    : "does not say which network namespaces share";
  EXPECT_THAT(log, ::testing::HasSubstr(notice));
  EXPECT_EQ(log.find(notice), log.rfind(notice)) << log;
}

}  // namespace
}  // namespace halfopen::testing
