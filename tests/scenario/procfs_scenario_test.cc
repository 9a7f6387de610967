#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "tests/support/exporter_process.h"
#include "tests/support/exposition.h"
#include "tests/support/netns.h"
#include "tests/support/sockets.h"

namespace halfopen::testing {
namespace {

TEST(ProcfsScenario, ExportsTheNamespacesOwnRetries2AndGiveUpTime) {
  REQUIRE_NAMESPACES();
  NetNs ns("settings");
  ASSERT_TRUE(ns.ok());
  ASSERT_EQ(ns.Exec("sysctl -qw net.ipv4.tcp_retries2=6"), 0);
  ExporterProcess exporter(
      {"--collector.disable-defaults", "--collector.tcpsettings"}, &ns);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const HttpResponse response = exporter.Get("/metrics");
  ASSERT_EQ(response.status, 200) << response.error;
  EXPECT_EQ(SampleValue(response.body, "halfopen_kernel_tcp_retries2"), 6);
  // 0.2 s doubling over 7 intervals: 25.4 s (tcp_model_timeout()).
  EXPECT_EQ(
      SampleValue(response.body, "halfopen_kernel_retransmit_giveup_seconds"),
      25.4);
}

TEST(ProcfsScenario, ListenOverflowsRiseAndMatchTheNamespacesCounter) {
  REQUIRE_NAMESPACES();
  NetNs ns("overflow");
  ASSERT_TRUE(ns.ok());
  ExporterProcess exporter(
      {"--collector.disable-defaults", "--collector.netstat"}, &ns);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();

  // The first seed's experiment: listen(fd, 1), never accept, 5 clients.
  Fd listener;
  std::vector<Fd> clients;
  ns.Run([&] {
    int port = 0;
    listener = ListenTcp("127.0.0.1", 1, &port);
    for (int i = 0; i < 5; ++i) {
      clients.push_back(ConnectNonBlocking("127.0.0.1", port));
    }
  });
  ASSERT_TRUE(listener.valid());

  // Dropped SYNs are retried at 1 s, 2 s, …, so the counter keeps rising.
  // Poll (bounded) until a scrape lands between two equal kernel readings
  // of a counter that has risen, then the exported value must equal them.
  const std::string series = "halfopen_netstat_listen_overflows_total";
  bool matched = false;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!matched && std::chrono::steady_clock::now() < deadline) {
    const long long before = CounterFromProcText(ns.ReadProcNet("netstat"),
                                                 "TcpExt", "ListenOverflows");
    const HttpResponse response = exporter.Get("/metrics");
    const long long after = CounterFromProcText(ns.ReadProcNet("netstat"),
                                                "TcpExt", "ListenOverflows");
    ASSERT_EQ(response.status, 200) << response.error;
    const auto exported = SampleValue(response.body, series);
    ASSERT_TRUE(exported.has_value()) << response.body;
    EXPECT_GE(*exported, before);
    EXPECT_LE(*exported, after);
    matched = before == after && before > 0 && *exported == before;
  }
  EXPECT_TRUE(matched) << "ListenOverflows never rose and held still";
}

}  // namespace
}  // namespace halfopen::testing
