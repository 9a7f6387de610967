#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <chrono>
#include <map>
#include <sstream>
#include <vector>

#include "tests/support/exporter_process.h"
#include "tests/support/exposition.h"
#include "tests/support/netns.h"
#include "tests/support/sockets.h"

namespace halfopen::testing {
namespace {

using std::chrono::seconds;

const std::vector<std::string> kSocketCollectors = {
    "--collector.disable-defaults", "--collector.sockets",
    "--collector.listeners", "--collector.netstat"};

std::string Listener(const std::string& metric, const std::string& family,
                     const std::string& address, int port) {
  return metric + "{family=\"" + family + "\",address=\"" + address +
         "\",port=\"" + std::to_string(port) + "\"}";
}

std::string State(const std::string& state) {
  return "halfopen_tcp_connections{state=\"" + state + "\"}";
}

double Value(const std::string& body, const std::string& series) {
  return SampleValue(body, series).value_or(-1);
}

// The first seed's experiment: listen(fd, 1) that never accepts, 5 clients.
struct OverflowSetup {
  Fd listener;
  std::vector<Fd> clients;
  int port = 0;
};

OverflowSetup StartOverflow(const NetNs& ns, const std::string& ip) {
  OverflowSetup setup;
  ns.Run([&] {
    setup.listener = ListenTcp(ip, 1, &setup.port);
    for (int i = 0; i < 5; ++i) {
      setup.clients.push_back(ConnectNonBlocking(ip, setup.port));
    }
  });
  return setup;
}

TEST(SocketsScenario, SeedOneOverflowShowsQueueTwoOfLimitOne) {
  REQUIRE_NAMESPACES();
  NetNs ns("seed1");
  ASSERT_TRUE(ns.ok());
  ExporterProcess exporter(kSocketCollectors, &ns);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const OverflowSetup setup = StartOverflow(ns, "127.0.0.1");
  ASSERT_TRUE(setup.listener.valid());

  const std::string length =
      Listener("halfopen_listen_queue_length", "ipv4", "127.0.0.1", setup.port);
  bool done = false;
  const std::string body = exporter.ScrapeUntil(
      [&](const std::string& b) {
        return Value(b, length) == 2 && Value(b, State("syn_sent")) == 3;
      },
      seconds(10), &done);
  ASSERT_TRUE(done) << body;
  EXPECT_EQ(Value(body, Listener("halfopen_listen_queue_limit", "ipv4",
                                 "127.0.0.1", setup.port)),
            1);
  // Two clients and their two queued server ends, plus the scrape's own
  // connection (its client and server end).
  EXPECT_EQ(Value(body, State("established")), 4 + 2);
  EXPECT_GT(Value(body, "halfopen_netstat_listen_overflows_total"), 0);
  std::string promtool;
  EXPECT_EQ(PromtoolCheckMetrics(body, &promtool), 0) << promtool;
}

// Two namespaces: the server's (observed) and the client's, whose egress is
// slowed by tbf so that handshakes pile up in SYN_RECV.
struct TwoHosts {
  NetNs server{"srv"};
  NetNs client{"cli"};
  VethPair veth;
  bool ok = false;
  std::string error;

  TwoHosts() {
    ok = server.ok() && client.ok() &&
         ConnectWithVeth(server, "10.213.7.1", client, "10.213.7.2", &error,
                         &veth, "fd0d:7::1", "fd0d:7::2");
  }
};

void ExpectSynRecvRetransmitting(const std::string& listen_ip,
                                 const std::string& connect_ip,
                                 const std::string& family,
                                 const std::string& label_address) {
  TwoHosts hosts;
  ASSERT_TRUE(hosts.ok) << hosts.error;
  // One full handshake first, so that neighbour discovery is done before
  // the rate limiter goes in and cannot reorder what follows.
  Fd warm_listener, warm_client;
  int warm_port = 0;
  hosts.server.Run(
      [&] { warm_listener = ListenTcp(listen_ip, 4, &warm_port); });
  hosts.client.Run(
      [&] { warm_client = ConnectBlocking(connect_ip, warm_port); });
  ASSERT_TRUE(warm_client.valid());
  ASSERT_EQ(hosts.client.Exec("tc qdisc add dev " + hosts.veth.end_b +
                              " root tbf rate 8kbit burst 100 limit 10000"),
            0);
  ExporterProcess exporter(kSocketCollectors, &hosts.server);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  Fd listener;
  int port = 0;
  hosts.server.Run([&] { listener = ListenTcp(listen_ip, 1, &port); });
  ASSERT_TRUE(listener.valid());
  std::vector<Fd> clients;
  hosts.client.Run([&] {
    // Four 1000-byte datagrams hold the 8 kbit/s bucket for about four
    // seconds, so all five SYNs queue behind them and reach the server
    // before any final ACK: five handshakes start while the accept queue is
    // still empty, and the three ACKs that find it full leave their requests
    // in SYN_RECV. (One second, then two, were too short for five connects
    // under emulation on a loaded machine.)
    for (int i = 0; i < 4; ++i) SendUdp(connect_ip, 9, 1000);
    for (int i = 0; i < 5; ++i)
      clients.push_back(ConnectNonBlocking(connect_ip, port));
  });

  const std::string syn_recv =
      Listener("halfopen_listen_syn_recv", family, label_address, port);
  const std::string retransmitting = Listener(
      "halfopen_listen_syn_recv_retransmitting", family, label_address, port);
  bool done = false;
  const std::string body = exporter.ScrapeUntil(
      [&](const std::string& b) {
        return Value(b, syn_recv) >= 1 && Value(b, retransmitting) >= 1;
      },
      seconds(20), &done);
  EXPECT_TRUE(done) << body;
  EXPECT_EQ(Value(body, Listener("halfopen_listen_queue_length", family,
                                 label_address, port)),
            2);
  EXPECT_EQ(Value(body, "halfopen_listen_syn_recv_unattributed"), 0);
  EXPECT_GT(Value(body, "halfopen_netstat_listen_overflows_total"), 0);
  EXPECT_GE(Value(body, State("syn_recv")), Value(body, syn_recv));
}

TEST(SocketsScenario, SeedTwoSynRecvRetransmitsOnAFullListener) {
  REQUIRE_NAMESPACES();
  ExpectSynRecvRetransmitting("10.213.7.1", "10.213.7.1", "ipv4", "10.213.7.1");
}

TEST(SocketsScenario, DualStackListenerGetsItsIpv4Handshakes) {
  REQUIRE_NAMESPACES();
  ExpectSynRecvRetransmitting("::", "10.213.7.1", "ipv6", "::");
}

TEST(SocketsScenario, Ipv6ListenerGetsItsIpv6Handshakes) {
  REQUIRE_NAMESPACES();
  ExpectSynRecvRetransmitting("fd0d:7::1", "fd0d:7::1", "ipv6", "fd0d:7::1");
}

TEST(SocketsScenario, KeepaliveAndRetransmitTimersAreCounted) {
  REQUIRE_NAMESPACES();
  TwoHosts hosts;
  ASSERT_TRUE(hosts.ok) << hosts.error;
  // The observed namespace is the client's here: its connections carry the
  // timers. The server namespace silently drops one of the two ports.
  ExporterProcess exporter(kSocketCollectors, &hosts.client);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const std::string retransmit = "halfopen_tcp_timers{timer=\"retransmit\"}";
  const std::string keepalive = "halfopen_tcp_timers{timer=\"keepalive\"}";
  const HttpResponse baseline = exporter.Get("/metrics");
  ASSERT_EQ(baseline.status, 200);

  Fd idle_listener, dropped_listener;
  int idle_port = 0, dropped_port = 0;
  hosts.server.Run([&] {
    idle_listener = ListenTcp("10.213.7.1", 16, &idle_port);
    dropped_listener = ListenTcp("10.213.7.1", 16, &dropped_port);
  });
  Fd idle, writer;
  hosts.client.Run([&] {
    idle = ConnectNonBlocking("10.213.7.1", idle_port);
    const int one = 1;
    setsockopt(idle.get(), SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    writer = ConnectNonBlocking("10.213.7.1", dropped_port);
  });
  // Wait for both handshakes (poll the writer's send buffer via the kernel).
  bool connected = false;
  exporter.ScrapeUntil(
      [&](const std::string& b) {
        return Value(b, State("established")) >=
               Value(baseline.body, State("established")) + 2;
      },
      seconds(10), &connected);
  ASSERT_TRUE(connected);
  ASSERT_EQ(AddInputRule(hosts.server,
                         "tcp dport " + std::to_string(dropped_port) + " drop"),
            0);
  const char data[] = "into the void";
  ASSERT_GT(send(writer.get(), data, sizeof data, MSG_NOSIGNAL), 0);

  bool done = false;
  const std::string body = exporter.ScrapeUntil(
      [&](const std::string& b) {
        return Value(b, retransmit) >= Value(baseline.body, retransmit) + 1 &&
               Value(b, keepalive) >= Value(baseline.body, keepalive) + 1 &&
               Value(b,
                     "halfopen_tcp_connections_by_retransmits{"
                     "retransmits=\"1\"}") +
                       Value(b,
                             "halfopen_tcp_connections_by_retransmits{"
                             "retransmits=\"2\"}") >=
                   1;
      },
      seconds(10), &done);
  EXPECT_TRUE(done) << body;
}

std::map<std::string, int> SsCounts(const NetNs& ns) {
  std::string output;
  EXPECT_EQ(ns.Exec("ss -tanH", &output), 0);
  static const std::map<std::string, std::string> kNames = {
      {"ESTAB", "established"},    {"SYN-SENT", "syn_sent"},
      {"SYN-RECV", "syn_recv"},    {"FIN-WAIT-1", "fin_wait1"},
      {"FIN-WAIT-2", "fin_wait2"}, {"TIME-WAIT", "time_wait"},
      {"UNCONN", "close"},         {"CLOSE-WAIT", "close_wait"},
      {"LAST-ACK", "last_ack"},    {"LISTEN", "listen"},
      {"CLOSING", "closing"}};
  std::map<std::string, int> counts;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string state;
    fields >> state;
    ++counts[kNames.count(state) ? kNames.at(state) : state];
  }
  return counts;
}

TEST(SocketsScenario, StateCountsEqualSsOnAStillTable) {
  REQUIRE_NAMESPACES();
  NetNs ns("ss");
  ASSERT_TRUE(ns.ok());
  ExporterProcess exporter(kSocketCollectors, &ns);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const OverflowSetup setup = StartOverflow(ns, "127.0.0.1");
  bool settled = false;
  exporter.ScrapeUntil(
      [](const std::string& b) { return Value(b, State("syn_sent")) == 3; },
      seconds(10), &settled);
  ASSERT_TRUE(settled);
  // ss runs between two scrapes: it sees the TIME_WAIT left by the earlier
  // ones but not the next scrape's own connection (two ESTABLISHED ends).
  const auto ss = SsCounts(ns);
  const HttpResponse response = exporter.Get("/metrics");
  ASSERT_EQ(response.status, 200);
  for (const char* state :
       {"established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2",
        "time_wait", "close", "close_wait", "last_ack", "listen", "closing"}) {
    const int own = std::string(state) == "established" ? 2 : 0;
    const int expected = (ss.count(state) ? ss.at(state) : 0) + own;
    EXPECT_EQ(Value(response.body, State(state)), expected) << state;
  }
  EXPECT_EQ(Value(response.body, State("other")), 0);
}

}  // namespace
}  // namespace halfopen::testing
