// Every network namespace on the host (--netns.scope=all), as the exporter
// sees them from the root namespace: pods' accept queues, counters,
// suspects and programs, and namespaces that come and go.

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <vector>

#include "tests/support/exporter_process.h"
#include "tests/support/exposition.h"
#include "tests/support/netns.h"
#include "tests/support/sockets.h"

namespace halfopen::testing {
namespace {

using std::chrono::seconds;

std::string Label(const std::string& name, const std::string& value) {
  return name + "=\"" + value + "\"";
}

std::string Port(int port) { return Label("port", std::to_string(port)); }

// One field of a process's /proc/<pid>/status, e.g. "VmRSS" (kB).
long StatusField(int pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::stol(line.substr(field.size() + 1));
    }
  }
  return -1;
}

int OpenFds(int pid) {
  std::string output;
  RunCommand("ls /proc/" + std::to_string(pid) + "/fd | wc -l", &output);
  return std::stoi(output);
}

// How many of the threads of process `pid` are inside one of the network
// namespaces whose inodes are given.
int ThreadsInside(int pid, const std::set<std::string>& inodes) {
  int inside = 0;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    char link[64] = {};
    const std::string path = task.path().string() + "/ns/net";
    if (readlink(path.c_str(), link, sizeof link - 1) <= 0) continue;
    const std::string text = link;  // "net:[4026532001]"
    const auto open = text.find('['), close = text.find(']');
    if (open == std::string::npos || close == std::string::npos) continue;
    inside += inodes.count(text.substr(open + 1, close - open - 1)) > 0;
  }
  return inside;
}

TEST(NetnsScenario, SeedsInANamedAndAnUnnamedNamespaceAreEachLabelled) {
  REQUIRE_NAMESPACES();
  // The first seed in a named namespace: listen(fd, 1), never accept,
  // five clients.
  NetNs named("pod-a");
  ASSERT_TRUE(named.ok());
  Fd full;
  std::vector<Fd> clients;
  int full_port = 0;
  named.Run([&] {
    full = ListenTcp("127.0.0.1", 1, &full_port);
    for (int i = 0; i < 5; ++i) {
      clients.push_back(ConnectNonBlocking("127.0.0.1", full_port));
    }
  });
  // The second seed in a namespace only a process holds: handshakes left in
  // SYN_RECV, re-sent, on a full queue (their final ACKs held back first).
  NetNs unnamed{NetNs::Unnamed{}};
  ASSERT_TRUE(unnamed.ok());
  ASSERT_EQ(unnamed.Exec("sysctl -qw net.ipv4.tcp_synack_retries=3"), 0);
  // listen(fd, 2) holds three; two are queued already.
  Fd orphaning;
  std::vector<Fd> queued, held_back;
  int orphan_port = 0;
  unnamed.Run([&] {
    orphaning = ListenTcp("127.0.0.1", 2, &orphan_port);
    for (int i = 0; i < 2; ++i) {
      queued.push_back(ConnectBlocking("127.0.0.1", orphan_port));
    }
  });
  ASSERT_EQ(AddInputRule(unnamed, "tcp dport " + std::to_string(orphan_port) +
                                      " tcp flags == ack drop"),
            0);
  // Three handshakes start while the queue has room; once their ACKs pass,
  // one fills the queue and the others are ignored.
  unnamed.Run([&] {
    for (int i = 0; i < 3; ++i) {
      held_back.push_back(ConnectNonBlocking("127.0.0.1", orphan_port));
    }
  });
  std::string requests;
  for (int i = 0; i < 100 && requests != "3\n"; ++i) {
    unnamed.Exec("ss -Htn state syn-recv | wc -l", &requests);
  }
  ASSERT_EQ(requests, "3\n");
  ASSERT_EQ(unnamed.Exec("nft flush chain inet t in"), 0);

  ExporterProcess exporter({"--netns.scope=all"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const std::string a = Label("netns", named.inode());
  const std::string b = Label("netns", unnamed.inode());
  const long overflows_before = CounterFromProcText(
      named.ReadProcNet("netstat"), "TcpExt", "ListenOverflows");
  bool seen = false;
  const std::string body = exporter.ScrapeUntil(
      [&](const std::string& m) {
        return FindSample(m, "halfopen_listen_queue_length",
                          {a, Port(full_port)}) == 2 &&
               FindSample(m, "halfopen_listen_orphaned_handshakes",
                          {b, Port(orphan_port)})
                       .value_or(0) >= 1;
      },
      seconds(15), &seen);
  const long overflows_after = CounterFromProcText(named.ReadProcNet("netstat"),
                                                   "TcpExt", "ListenOverflows");
  ASSERT_TRUE(seen) << body;
  EXPECT_EQ(
      FindSample(body, "halfopen_listen_queue_limit", {a, Port(full_port)}), 1);
  // The namespace's own counter, read from inside it around the scrape.
  const auto overflows =
      FindSample(body, "halfopen_netstat_listen_overflows_total", {a});
  ASSERT_TRUE(overflows.has_value()) << body;
  EXPECT_GT(*overflows, 0);
  EXPECT_GE(*overflows, overflows_before);
  EXPECT_LE(*overflows, overflows_after);
  // Who each namespace is, and who holds each listener.
  EXPECT_EQ(
      FindSample(body, "halfopen_netns_info", {a, Label("name", named.name())}),
      1);
  EXPECT_EQ(
      FindSample(body, "halfopen_netns_info", {b, Label("comm", "sleep")}), 1);
  for (const auto& [netns, port] :
       {std::pair{a, full_port}, std::pair{b, orphan_port}}) {
    EXPECT_EQ(FindSample(body, "halfopen_listen_process_info",
                         {netns, Port(port), Label("comm", "scenario_tests"),
                          Label("pid", std::to_string(getpid()))}),
              1)
        << netns;
  }
  EXPECT_EQ(SampleValue(body,
                        "halfopen_scrape_collector_success{collector="
                        "\"netns\"}"),
            1)
      << exporter.process().Stderr();
  // The status page names each listener's namespace as a person knows it.
  const std::string page = exporter.Get("/status").body;
  EXPECT_THAT(
      page, ::testing::HasSubstr(
                "<td>" + named.name() + " (" + named.inode() +
                ")</td><td>127.0.0.1:" + std::to_string(full_port) + "</td>"));
  EXPECT_THAT(page,
              ::testing::HasSubstr("<td>sleep (" + unnamed.inode() +
                                   ")</td><td>127.0.0.1:" +
                                   std::to_string(orphan_port) + "</td>"));
}

TEST(NetnsScenario, SuspectsInsideAPodLikeNamespaceAreLabelled) {
  REQUIRE_NAMESPACES();
  NetNs pod("pod-b");
  NetNs peer("peer-b");
  std::string error;
  ASSERT_TRUE(pod.ok() && peer.ok());
  ASSERT_TRUE(ConnectWithVeth(pod, "10.213.11.1", peer, "10.213.11.2", &error))
      << error;
  ASSERT_EQ(pod.Exec("sysctl -qw net.ipv4.tcp_retries2=6"), 0);
  // A process of the pod's own, as a container would have.
  Process sleeper({"ip", "netns", "exec", pod.name(), "sleep", "600"});
  Fd listener, client, server;
  int port = 0;
  peer.Run([&] { listener = ListenTcp("10.213.11.2", 4, &port); });
  pod.Run([&] { client = ConnectBlocking("10.213.11.2", port); });
  server = Accept(listener);
  ASSERT_TRUE(server.valid());
  ASSERT_EQ(AddInputRule(peer, "ip saddr 10.213.11.1 drop"), 0);
  ASSERT_GT(send(client.get(), "x", 1, MSG_NOSIGNAL), 0);
  const int client_port = LocalPort(client);

  ExporterProcess exporter({"--netns.scope=all"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const std::string in_pod = Label("netns", pod.inode());
  bool flagged = false;
  const std::string body = exporter.ScrapeUntil(
      [&](const std::string& m) {
        return FindSample(m, "halfopen_suspect_score",
                          {in_pod, Label("reason", "retransmit_stall"),
                           Label("local_port", std::to_string(client_port))})
                   .value_or(0) >= 0.8;
      },
      seconds(15), &flagged);
  EXPECT_TRUE(flagged) << body;
  EXPECT_GE(FindSample(body, "halfopen_suspects",
                       {in_pod, Label("reason", "retransmit_stall")})
                .value_or(0),
            1);
  EXPECT_EQ(
      FindSample(body, "halfopen_netns_info", {in_pod, Label("comm", "sleep")}),
      1);
  // The pod's own sysctl, not the host's.
  EXPECT_EQ(FindSample(body, "halfopen_kernel_tcp_retries2", {in_pod}), 6);
}

TEST(NetnsScenario, NamespacesComingAndGoingLeaveNoFdsOrMemoryBehind) {
  REQUIRE_NAMESPACES();
  ExporterProcess exporter({"--netns.scope=all"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const int pid = exporter.process().pid();
  auto scrape = [&] {
    const HttpResponse response = exporter.Get("/metrics");
    EXPECT_EQ(response.status, 200) << response.error;
    return response.body;
  };
  // Rounds of 20 namespaces created, scraped, deleted and scraped again.
  // The first three warm up what is kept for reuse (the allocator's arenas,
  // glibc's cache of thread stacks: measured to level off by then); the
  // later ones must add nothing.
  constexpr int kWarmUp = 3;
  int fds = 0;
  long threads = 0, rss = 0;
  for (int round = 0; round < kWarmUp + 4; ++round) {
    if (round >= 1 && round <= kWarmUp) {
      fds = OpenFds(pid);
      threads = StatusField(pid, "Threads");
      rss = std::max(rss, StatusField(pid, "VmRSS"));
    }
    std::vector<std::unique_ptr<NetNs>> namespaces;
    for (int i = 0; i < 20; ++i) {
      namespaces.push_back(std::make_unique<NetNs>("churn"));
    }
    const std::string body = scrape();
    for (const auto& netns : namespaces) {
      EXPECT_TRUE(FindSample(body, "halfopen_netns_info",
                             {Label("netns", netns->inode())})
                      .has_value());
    }
    std::set<std::string> inodes;
    for (const auto& netns : namespaces) inodes.insert(netns->inode());
    namespaces.clear();  // ip netns del, each
    const std::string after = scrape();
    EXPECT_THAT(after, ::testing::Not(::testing::HasSubstr("hoe-churn-")));
    // The scrape lets them go; the listener sampler follows at its next
    // round (0.1 s, later on a loaded machine), and only then are their
    // threads and sockets closed.
    EXPECT_TRUE(PollUntil([&] { return ThreadsInside(pid, inodes) == 0; },
                          std::chrono::seconds(10)))
        << ThreadsInside(pid, inodes)
        << " threads still inside deleted namespaces";
  }
  scrape();
  EXPECT_EQ(OpenFds(pid), fds);
  EXPECT_EQ(StatusField(pid, "Threads"), threads);
  // 80 namespaces came and went after the warm-up: what one keeps for good
  // (a thread, its stack, a netlink socket's 64 KiB receive buffer) would
  // add over 5 MiB; the allocator's and glibc's own caches wobble by up to
  // 1.2 MiB on a machine busy with other work (measured; heaptrack shows no
  // heap growth from round to round).
  EXPECT_LT(StatusField(pid, "VmRSS"), rss + 2048) << "kB, from " << rss;
}

// Pod to pod: when the server's namespace is deleted (its link gone first,
// so no FIN or RST reaches the client), the client's end is peer_missing.
TEST(NetnsScenario, ConnectionIntoADeletedNamespaceIsPeerMissing) {
  REQUIRE_NAMESPACES();
  NetNs client_pod("pod-c");
  auto server_pod = std::make_unique<NetNs>("pod-d");
  std::string error;
  ASSERT_TRUE(client_pod.ok() && server_pod->ok());
  VethPair veth;
  ASSERT_TRUE(ConnectWithVeth(client_pod, "10.213.12.1", *server_pod,
                              "10.213.12.2", &error, &veth))
      << error;
  Fd listener, client, server;
  int port = 0;
  server_pod->Run([&] { listener = ListenTcp("10.213.12.2", 4, &port); });
  client_pod.Run([&] { client = ConnectBlocking("10.213.12.2", port); });
  server = Accept(listener);
  ASSERT_TRUE(server.valid());
  const int client_port = LocalPort(client);
  ExporterProcess exporter({"--netns.scope=all"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const std::string in_client = Label("netns", client_pod.inode());
  const std::string in_server = Label("netns", server_pod->inode());
  // Both ends seen, healthy.
  const HttpResponse before = exporter.Get("/metrics");
  ASSERT_EQ(before.status, 200);
  ASSERT_TRUE(
      FindSample(before.body, "halfopen_netns_info", {in_server}).has_value());
  EXPECT_EQ(FindSample(before.body, "halfopen_suspects",
                       {in_client, Label("reason", "peer_missing")}),
            0);
  // The server's namespace goes: link first, then its sockets, then it.
  ASSERT_EQ(server_pod->Exec("ip link del " + veth.end_b), 0);
  server = Fd();
  listener = Fd();
  server_pod.reset();
  bool flagged = false;
  const std::string body = exporter.ScrapeUntil(
      [&](const std::string& m) {
        return FindSample(m, "halfopen_suspect_score",
                          {in_client, Label("reason", "peer_missing"),
                           Label("local_port", std::to_string(client_port))})
                   .value_or(0) >= 0.5;
      },
      seconds(10), &flagged);
  EXPECT_TRUE(flagged) << body;
  EXPECT_FALSE(FindSample(body, "halfopen_netns_info", {in_server}).has_value())
      << "the deleted namespace is still read";
}

// Through a service address translated by a router namespace that holds
// it (as kube-proxy's IPVS interface holds ClusterIPs): the client's end
// points at an address no socket has, and must not be taken for a vanished
// peer; nor the server's end, whose peer is a client port.
TEST(NetnsScenario, ServiceAddressTranslatedElsewhereIsNotPeerMissing) {
  REQUIRE_NAMESPACES();
  NetNs client_pod("pod-e"), router("router"), server_pod("pod-f");
  std::string error;
  ASSERT_TRUE(client_pod.ok() && router.ok() && server_pod.ok());
  ASSERT_TRUE(
      ConnectWithVeth(client_pod, "10.213.13.1", router, "10.213.13.2", &error))
      << error;
  ASSERT_TRUE(
      ConnectWithVeth(router, "10.213.14.1", server_pod, "10.213.14.2", &error))
      << error;
  ASSERT_EQ(router.Exec("sysctl -qw net.ipv4.ip_forward=1 && ip addr add "
                        "10.213.15.10/32 dev lo && nft add table ip nat && "
                        "nft 'add chain ip nat pre { type nat hook prerouting "
                        "priority -100; }' && nft add rule ip nat pre ip daddr "
                        "10.213.15.10 tcp dport 80 dnat to 10.213.14.2:8080"),
            0);
  ASSERT_EQ(client_pod.Exec("ip route add 10.213.15.0/24 via 10.213.13.2"), 0);
  ASSERT_EQ(server_pod.Exec("ip route add 10.213.13.0/24 via 10.213.14.1"), 0);
  Fd listener, client, server;
  ListenOptions options;
  options.ip = "10.213.14.2";
  options.port = 8080;
  int port = 0;
  server_pod.Run([&] { listener = ListenTcpWith(options, &port); });
  client_pod.Run([&] { client = ConnectBlocking("10.213.15.10", 80); });
  server = Accept(listener);
  ASSERT_TRUE(server.valid()) << "the service address does not reach the pod";
  ASSERT_GT(send(client.get(), "ping", 4, MSG_NOSIGNAL), 0);
  char reply[4];
  ASSERT_EQ(recv(server.get(), reply, sizeof reply, MSG_WAITALL), 4);

  ExporterProcess exporter({"--netns.scope=all"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  // Idle past the 1 s silence and the 2 s of persistence, scraped all along.
  const auto until = std::chrono::steady_clock::now() + seconds(4);
  int scrapes = 0;
  while (std::chrono::steady_clock::now() < until) {
    const HttpResponse response = exporter.Get("/metrics");
    ASSERT_EQ(response.status, 200);
    ++scrapes;
    for (const NetNs* pod : {&client_pod, &server_pod}) {
      const auto missing = FindSample(
          response.body, "halfopen_suspects",
          {Label("netns", pod->inode()), Label("reason", "peer_missing")});
      ASSERT_TRUE(missing.has_value()) << response.body;
      EXPECT_EQ(*missing, 0) << pod->name() << "\n" << response.body;
    }
  }
  EXPECT_GT(scrapes, 10);
}

// As an unprivileged user with no capabilities.
const std::vector<std::string> kNobody = {
    "setpriv",        "--reuid=nobody",  "--regid=nogroup",
    "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"};

// The collectors the binary enables by default, from its --help: every
// "--[no-]collector.<name>" (not a collector's own switch, which has a
// further dot) whose entry says "(default: true)".
std::vector<std::string> DefaultCollectors() {
  std::string help;
  RunCommand(ExporterPath() + " --help", &help);
  std::vector<std::string> names;
  std::istringstream lines(help);
  std::string line;
  std::string pending;
  while (std::getline(lines, line)) {
    const auto at = line.find("--[no-]collector.");
    if (at != std::string::npos) {
      pending = line.substr(at + 17);
      pending = pending.substr(0, pending.find_first_of(" \t"));
      if (pending.find('.') != std::string::npos) pending.clear();
    } else if (!pending.empty() &&
               line.find("(default: true)") != std::string::npos) {
      names.push_back(pending);
      pending.clear();
    } else if (line.find("(default: false)") != std::string::npos) {
      pending.clear();
    }
  }
  return names;
}

// That the process really has no privilege: nobody's uid and not one
// effective capability.
void ExpectUnprivileged(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string status((std::istreambuf_iterator<char>(in)), {});
  EXPECT_THAT(status, ::testing::ContainsRegex("\nUid:\t65534\t65534"));
  EXPECT_THAT(status, ::testing::HasSubstr("\nCapEff:\t0000000000000000\n"));
}

TEST(NetnsScenario, OwnNamespaceNeedsNoPrivilegeForAnyDefaultCollector) {
  REQUIRE_NAMESPACES();
  const std::vector<std::string> defaults = DefaultCollectors();
  ASSERT_GE(defaults.size(), 6u);  // sockets, listeners, halfopen, netstat …
  NetNs ns("nobody");
  ASSERT_TRUE(ns.ok());
  // Something for every collector to read: a listener with a connection.
  Fd listener, client, accepted;
  int port = 0;
  ns.Run([&] {
    listener = ListenTcp("127.0.0.1", 3, &port);
    client = ConnectBlocking("127.0.0.1", port);
    accepted = Accept(listener);
  });
  ExporterProcess exporter({}, &ns, kNobody);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  ExpectUnprivileged(exporter.process().pid());
  const HttpResponse response = exporter.Get("/metrics");
  ASSERT_EQ(response.status, 200);
  for (const std::string& name : defaults) {
    EXPECT_EQ(SampleValue(response.body,
                          "halfopen_scrape_collector_success{collector=\"" +
                              name + "\"}"),
              1)
        << name << "\n"
        << exporter.process().Stderr();
  }
  // And what they read is there: the connection and the listener's queue.
  EXPECT_GE(SampleValue(response.body,
                        "halfopen_tcp_connections{state=\"established\"}")
                .value_or(0),
            2);
  EXPECT_EQ(
      FindSample(response.body, "halfopen_listen_queue_limit", {Port(port)}),
      3);
  EXPECT_GT(
      SampleValue(response.body, "halfopen_kernel_tcp_retries2").value_or(0),
      0);
  EXPECT_THAT(exporter.process().Stderr(),
              ::testing::Not(::testing::HasSubstr("collector failed")));
}

TEST(NetnsScenario, AllWithoutPrivilegeSaysSoAndKeepsTheOwnNamespace) {
  REQUIRE_NAMESPACES();
  NetNs ns("unpriv");
  ASSERT_TRUE(ns.ok());
  Fd listener;
  int port = 0;
  ns.Run([&] { listener = ListenTcp("127.0.0.1", 4, &port); });
  ExporterProcess exporter({"--netns.scope=all"}, &ns, kNobody);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const HttpResponse response = exporter.Get("/metrics");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(SampleValue(response.body,
                        "halfopen_scrape_collector_success{collector="
                        "\"netns\"}"),
            0);
  for (const char* collector :
       {"listeners", "netstat", "sockets", "tcpsettings", "halfopen"}) {
    EXPECT_EQ(SampleValue(response.body,
                          std::string("halfopen_scrape_collector_success{"
                                      "collector=\"") +
                              collector + "\"}"),
              1)
        << collector;
  }
  EXPECT_EQ(FindSample(response.body, "halfopen_listen_queue_limit",
                       {Label("netns", ns.inode()), Port(port)}),
            4);
  ExpectUnprivileged(exporter.process().pid());
  // Failing every scrape, it is counted every time but says so once.
  const std::string errors =
      "halfopen_scrape_collector_errors_total{collector=\"netns\"}";
  const double before = SampleValue(response.body, errors).value_or(-1);
  ASSERT_GE(before, 1);
  ASSERT_EQ(exporter.Get("/metrics").status, 200);
  const HttpResponse third = exporter.Get("/metrics");
  EXPECT_EQ(SampleValue(third.body, errors), before + 2);
  const std::string log = exporter.process().Stderr();
  const std::string message = "needs CAP_SYS_ADMIN and CAP_SYS_PTRACE";
  const auto first = log.find(message);
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find(message, first + 1), std::string::npos) << log;
}

}  // namespace
}  // namespace halfopen::testing
