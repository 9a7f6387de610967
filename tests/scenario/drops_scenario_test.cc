// Exact per-listener drops (halfopen_listen_drops_total) on real kernels:
// the full listener's count against the namespace's own ListenDrops, an
// SO_REUSEPORT group that loses a member, another namespace under
// --netns.scope=all, and the kernel's double count of a final ACK that the
// full queue cannot take.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/support/exporter_process.h"
#include "tests/support/exposition.h"
#include "tests/support/netns.h"
#include "tests/support/sockets.h"

namespace halfopen::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kDrops[] = "halfopen_listen_drops_total";

long long Counter(const NetNs& ns, const std::string& name) {
  return CounterFromProcText(ns.ReadProcNet("netstat"), "TcpExt", name);
}

// The listener's drops as the exporter serves them; -1 when absent.
double Drops(const std::string& body, int port, const std::string& netns = "") {
  std::vector<std::string> labels = {"port=\"" + std::to_string(port) + "\""};
  if (!netns.empty()) labels.push_back("netns=\"" + netns + "\"");
  return FindSample(body, kDrops, labels).value_or(-1);
}

// True once every client's connect has ended, in a connection or in
// failure: with TCP_SYNCNT 1 nothing is retried after that, so the
// namespace's counters are final.
bool Settled(const std::vector<Fd>& clients) {
  for (const Fd& client : clients) {
    pollfd ready{client.get(), POLLOUT, 0};
    if (poll(&ready, 1, 0) != 1) return false;
  }
  return true;
}

std::vector<Fd> ClientsGivingUpSoon(const NetNs& ns, int port, int count) {
  std::vector<Fd> clients;
  ns.Run([&] {
    for (int i = 0; i < count; ++i) {
      clients.push_back(ConnectGivingUpSoon("127.0.0.1", port));
    }
  });
  return clients;
}

// sk_drops of each LISTEN socket on `port`, as `ss -tlm` shows it (d).
std::vector<long long> KernelDrops(const NetNs& ns, int port) {
  std::string output;
  ns.Exec("ss -Htlmn 'sport = :" + std::to_string(port) + "'", &output);
  std::vector<long long> drops;
  std::size_t at = 0;
  while ((at = output.find(",d", at)) != std::string::npos) {
    drops.push_back(std::stoll(output.substr(at + 2)));
    at += 2;
  }
  return drops;
}

TEST(DropsScenario,
     FullListenerCountsExactlyTheNamespacesDropsItsNeighbourNone) {
  REQUIRE_NAMESPACES();
  NetNs ns("drops");
  ASSERT_TRUE(ns.ok());
  Fd full, healthy;
  int port = 0, healthy_port = 0;
  std::vector<Fd> waiting;
  ns.Run([&] {
    full = ListenTcp("127.0.0.1", 1, &port);
    healthy = ListenTcp("127.0.0.1", 64, &healthy_port);
    for (int i = 0; i < 3; ++i) {
      waiting.push_back(ConnectNonBlocking("127.0.0.1", healthy_port));
    }
  });
  ASSERT_TRUE(full.valid() && healthy.valid());
  ExporterProcess exporter(
      {"--collector.disable-defaults", "--collector.listeners"}, &ns);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  bool present = false;
  const std::string before = exporter.ScrapeUntil(
      [&](const std::string& body) {
        return Drops(body, port) >= 0 && Drops(body, healthy_port) >= 0;
      },
      seconds(10), &present);
  ASSERT_TRUE(present) << before;
  const long long listen_drops_before = Counter(ns, "ListenDrops");

  const std::vector<Fd> clients = ClientsGivingUpSoon(ns, port, 8);
  ASSERT_TRUE(PollUntil([&] { return Settled(clients); }, seconds(15)));
  const long long listen_drops =
      Counter(ns, "ListenDrops") - listen_drops_before;
  ASSERT_GT(listen_drops, 0) << "the full listener dropped nothing";
  const HttpResponse after = exporter.Get("/metrics");
  ASSERT_EQ(after.status, 200) << after.error;
  std::printf("full listener: ListenDrops +%lld, exported drops +%.0f\n",
              listen_drops, Drops(after.body, port) - Drops(before, port));
  EXPECT_EQ(Drops(after.body, port) - Drops(before, port),
            static_cast<double>(listen_drops))
      << after.body;
  EXPECT_EQ(Drops(after.body, healthy_port), Drops(before, healthy_port));
  EXPECT_EQ(Drops(after.body, healthy_port), 0);
}

TEST(DropsScenario, ReuseportGroupNeverGoesDownWhenAMemberCloses) {
  REQUIRE_NAMESPACES();
  NetNs ns("dropgroup");
  ASSERT_TRUE(ns.ok());
  Fd members[2];
  int port = 0;
  ns.Run([&] {
    ListenOptions options;
    options.backlog = 1;
    options.reuseport = true;
    members[0] = ListenTcpWith(options, &port);
    options.port = port;
    members[1] = ListenTcpWith(options, &port);
  });
  ASSERT_TRUE(members[0].valid() && members[1].valid());
  // Drops before the exporter starts count too, as with any kernel counter.
  std::vector<Fd> clients = ClientsGivingUpSoon(ns, port, 20);
  ASSERT_TRUE(PollUntil([&] { return Settled(clients); }, seconds(15)));
  const std::vector<long long> per_member = KernelDrops(ns, port);
  ASSERT_EQ(per_member.size(), 2u);
  ASSERT_GT(per_member[0], 0);  // The kernel spread the clients over both.
  ASSERT_GT(per_member[1], 0);

  ExporterProcess exporter(
      {"--collector.disable-defaults", "--collector.listeners"}, &ns);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  bool present = false;
  std::string body = exporter.ScrapeUntil(
      [&](const std::string& b) { return Drops(b, port) >= 0; }, seconds(10),
      &present);
  ASSERT_TRUE(present) << body;
  EXPECT_EQ(Drops(body, port), per_member[0] + per_member[1]);
  EXPECT_EQ(Drops(body, port), Counter(ns, "ListenDrops"));

  // One member closes; scrape on across it: the count never goes down.
  std::vector<double> seen = {Drops(body, port)};
  for (int i = 0; i < 30; ++i) {
    if (i == 5) members[0] = Fd();
    const HttpResponse response = exporter.Get("/metrics");
    ASSERT_EQ(response.status, 200) << response.error;
    seen.push_back(Drops(response.body, port));
    body = response.body;
    std::this_thread::sleep_for(milliseconds(50));  // Paces the scrapes.
  }
  EXPECT_EQ(FindSample(body, "halfopen_listen_sockets",
                       {"port=\"" + std::to_string(port) + "\""}),
            1);
  // The survivor drops more, alone.
  clients = ClientsGivingUpSoon(ns, port, 6);
  ASSERT_TRUE(PollUntil([&] { return Settled(clients); }, seconds(15)));
  const HttpResponse last = exporter.Get("/metrics");
  ASSERT_EQ(last.status, 200) << last.error;
  seen.push_back(Drops(last.body, port));
  for (std::size_t i = 1; i < seen.size(); ++i) {
    EXPECT_GE(seen[i], seen[i - 1]) << "scrape " << i << " went down";
  }
  EXPECT_GT(seen.back(), seen.front());
  EXPECT_EQ(seen.back(), Counter(ns, "ListenDrops")) << last.body;
}

TEST(DropsScenario, AnotherNamespacesListenerIsCountedThereUnderScopeAll) {
  REQUIRE_NAMESPACES();
  NetNs pod(NetNs::Unnamed{});
  ASSERT_TRUE(pod.ok());
  Fd listener;
  int port = 0;
  pod.Run([&] { listener = ListenTcp("127.0.0.1", 1, &port); });
  ASSERT_TRUE(listener.valid());
  const std::vector<Fd> clients = ClientsGivingUpSoon(pod, port, 6);
  ASSERT_TRUE(PollUntil([&] { return Settled(clients); }, seconds(15)));
  const long long listen_drops = Counter(pod, "ListenDrops");
  ASSERT_GT(listen_drops, 0);

  ExporterProcess exporter({"--collector.disable-defaults",
                            "--collector.listeners", "--netns.scope=all"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  bool present = false;
  const std::string body = exporter.ScrapeUntil(
      [&](const std::string& b) { return Drops(b, port, pod.inode()) >= 0; },
      seconds(10), &present);
  ASSERT_TRUE(present) << body;
  EXPECT_EQ(Drops(body, port, pod.inode()), listen_drops) << body;
}

// A handshake whose final ACK arrives while the accept queue is full: the
// kernel counts ListenOverflows and ListenDrops once, and the listener's
// sk_drops twice (tcp_listendrop, then the discarded ACK). The exported
// count is the kernel's.
TEST(DropsScenario, AFinalAckTheFullQueueCannotTakeCountsTwice) {
  REQUIRE_NAMESPACES();
  NetNs ns("dropack");
  ASSERT_TRUE(ns.ok());
  // No cookies (the requests must be kept). Three SYN-ACK retries, 1, 3 and
  // 7 s after the SYN: the rule below must be gone before the last one,
  // however slowly this machine runs `ss` (a second each under emulation).
  ASSERT_EQ(ns.Exec("sysctl -qw net.ipv4.tcp_syncookies=0 "
                    "net.ipv4.tcp_synack_retries=3"),
            0);
  constexpr int kBacklog = 4;  // Holds 5; at most 4 handshakes pending.
  Fd listener;
  int port = 0;
  std::vector<Fd> queued, pending;
  ns.Run([&] {
    listener = ListenTcp("127.0.0.1", kBacklog, &port);
    for (int i = 0; i < 3; ++i)
      queued.push_back(ConnectBlocking("127.0.0.1", port));
  });
  ASSERT_TRUE(listener.valid());
  // The clients' final ACKs are lost: 4 handshakes wait in SYN_RECV.
  ASSERT_EQ(AddInputRule(ns, "tcp dport " + std::to_string(port) +
                                 " 'tcp flags & (syn | ack) == ack' drop"),
            0);
  ns.Run([&] {
    for (int i = 0; i < kBacklog; ++i) {
      pending.push_back(ConnectNonBlocking("127.0.0.1", port));
    }
  });
  auto syn_recv = [&] {
    std::string output;
    ns.Exec("ss -Htan state syn-recv | wc -l", &output);
    return std::stoi(output);
  };
  ASSERT_TRUE(PollUntil([&] { return syn_recv() == kBacklog; }, seconds(5)));
  // The ACKs come back with the SYN-ACKs' retransmission: 2 fit, 2 do not.
  ASSERT_EQ(ns.Exec("nft flush ruleset"), 0);
  // Requests expire 15 s after their SYN.
  ASSERT_TRUE(PollUntil([&] { return syn_recv() == 0; }, seconds(30)));

  ExporterProcess exporter(
      {"--collector.disable-defaults", "--collector.listeners"}, &ns);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  bool present = false;
  const std::string body = exporter.ScrapeUntil(
      [&](const std::string& b) { return Drops(b, port) >= 0; }, seconds(10),
      &present);
  ASSERT_TRUE(present) << body;
  const long long overflows = Counter(ns, "ListenOverflows");
  std::printf(
      "final ACKs refused: ListenOverflows %lld, ListenDrops %lld, "
      "exported drops %.0f\n",
      overflows, Counter(ns, "ListenDrops"), Drops(body, port));
  ASSERT_GT(overflows, 0) << "no ACK found the queue full";
  EXPECT_EQ(Counter(ns, "ListenDrops"), overflows);
  EXPECT_EQ(Counter(ns, "TCPReqQFullDrop"), 0);
  EXPECT_EQ(Drops(body, port), 2 * overflows) << body;
  EXPECT_EQ(KernelDrops(ns, port), std::vector<long long>{2 * overflows});
}

}  // namespace
}  // namespace halfopen::testing
