// Live connections on lossy paths, the controls of the suspicion model
// (docs/suspicion-model.md): bulk transfers, request/response and idle
// keepalive connections lose round trips now and then, several in a row at
// times, and the model must weigh that against the loss their paths show.
// Never a suspect in the form CI runs. The long runs docs/testing.md
// records set the HALFOPEN_CONTROL_* and HALFOPEN_HEAVY_LOSS_* variables.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "collectors/decode/netlink_layout.h"
#include "tests/support/exporter_process.h"
#include "tests/support/exposition.h"
#include "tests/support/two_hosts.h"

namespace halfopen::testing {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The highest suspect score of any reason the exporter gives the
// connection from local port `port` (0 when it is not a top-K suspect).
double ScoreOf(const std::string& body, int port) {
  return FindSample(body, "halfopen_suspect_score",
                    {"local_port=\"" + std::to_string(port) + "\""})
      .value_or(0);
}

// What the kernel showed of a sender's RTO chains, sampled from its own
// tcp_info: the longest chain and the longest ACK silence within one.
struct ChainWatch {
  unsigned longest_chain = 0;
  double longest_silence = 0;

  void Sample(int fd) {
    const auto info = TcpInfoBytes(fd);
    const unsigned r =
        TcpInfoField(info, wire::kTcpiRetransmits.offset, 1).value_or(0);
    longest_chain = std::max(longest_chain, r);
    if (r > 0) {
      longest_silence = std::max(
          longest_silence,
          TcpInfoField(info, wire::kTcpiLastAckRecv.offset, 4).value_or(0) /
              1000.0);
    }
  }
};

// The exporter's flags for a control: every connection with any score
// gets its series (a threshold of 0.01 and room for all), so that the test
// sees how close to 0.5 each came, not only whether it got there.
std::vector<std::string> Flags(const std::vector<std::string>& more) {
  std::vector<std::string> flags = {
      "--collector.disable-defaults", "--collector.halfopen",
      "--suspects.threshold=0.01", "--suspects.top-k=100"};
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
}

// The worst of one kind of connection over a run.
struct Kind {
  explicit Kind(const char* name_in) : name(name_in) {}
  const char* name;
  std::vector<int> ports;
  std::vector<int> fds;
  double worst = 0;
  int alarms = 0;
  ChainWatch chains;
  std::string worst_info;  // the sender's tcp_info at its highest score
};

// Two probes or more unanswered somewhere: what the model once flagged.
bool AnyRunOfTwoProbes(const std::string& body) {
  for (const char* bucket : {"2", "3", "4-7", "8+"}) {
    if (SampleValue(body, std::string("halfopen_tcp_connections_by_probes{"
                                      "probes=\"") +
                              bucket + "\"}")
            .value_or(0) > 0) {
      return true;
    }
  }
  return false;
}

// What the scrapes of a control saw, per kind of connection and in all.
struct ControlWatch {
  Kind kinds[3] = {Kind("bulk"), Kind("request/response"), Kind("keepalive")};
  int scrapes = 0, samples = 0, runs_of_two = 0;
  double worst = 0;
  std::string worst_body;

  void Take(const std::string& body) {
    ++scrapes;
    for (Kind& kind : kinds) {
      for (std::size_t i = 0; i < kind.ports.size(); ++i) {
        ++samples;
        const double score = ScoreOf(body, kind.ports[i]);
        if (score > kind.worst) {
          kind.worst_info = DescribeInfo(TcpInfoBytes(kind.fds[i]));
        }
        kind.alarms += score >= 0.5;
        kind.worst = std::max(kind.worst, score);
        kind.chains.Sample(kind.fds[i]);
      }
    }
    runs_of_two += AnyRunOfTwoProbes(body);
    const double any = MaxSample(body, "halfopen_suspect_score");
    if (any > worst) worst_body = body;
    worst = std::max(worst, any);
  }

  int Alarms() const {
    int alarms = 0;
    for (const Kind& kind : kinds) {
      alarms += kind.alarms;
      std::printf(
          "  %s: highest score %.3f, %d alarms, longest RTO chain %u, "
          "longest ACK silence in one %.1f s\n    at the highest: %s\n",
          kind.name, kind.worst, kind.alarms, kind.chains.longest_chain,
          kind.chains.longest_silence, kind.worst_info.c_str());
    }
    return alarms;
  }
};

void KeepAlive(int fd) {
  const int one = 1, idle = 2, interval = 1, count = 9;
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

class LossyControl : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_NAMESPACES();
    ASSERT_EQ(hosts_.error(), "");
  }

  TwoHosts hosts_{"lossy"};
};

// 10% of packets lost each way for 120 s under bulk transfers, request/
// response exchanges and idle keepalive connections, both families: at
// that loss a live peer leaves a run of 4 round trips unanswered about
// once in 800 runs, and a run of 7 once in 110,000.
TEST_F(LossyControl, LossyPathControlNeverScores) {
  const int loss = static_cast<int>(
      NumberFromEnvironment("HALFOPEN_CONTROL_LOSS_PERCENT", 10));
  const double duration =
      NumberFromEnvironment("HALFOPEN_CONTROL_SECONDS", 120);
  const int each = static_cast<int>(
      NumberFromEnvironment("HALFOPEN_CONTROL_CONNECTIONS", 4));
  // 0: the bulk and request/response connections stay idle, and the
  // keepalive probes alone must teach the model the path's loss.
  const bool busy = NumberFromEnvironment("HALFOPEN_CONTROL_BUSY", 1) != 0;
  const double max_alarm_rate =
      NumberFromEnvironment("HALFOPEN_CONTROL_MAX_ALARM_RATE", 0);
  ExporterProcess exporter(Flags({"--collector.sockets"}), &hosts_.host());
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  std::vector<TwoHosts::Connection> connections(3 * each);
  ControlWatch watch;
  std::vector<std::unique_ptr<BulkTransfer>> bulk;
  std::vector<std::unique_ptr<RequestResponse>> exchanges;
  for (int i = 0; i < 3 * each; ++i) {
    TwoHosts::Connection& c = connections[i];
    c = hosts_.Connect(i % 2 == 0 ? kPathIpv4 : kPathIpv6);
    ASSERT_TRUE(c.ok());
    Kind& kind = watch.kinds[i / each];
    kind.ports.push_back(c.client_port);
    kind.fds.push_back(c.client.get());
    if (busy && i < each) bulk.push_back(std::make_unique<BulkTransfer>(&c));
    if (busy && i >= each && i < 2 * each) {
      exchanges.push_back(std::make_unique<RequestResponse>(&c, 50));
    }
    if (i >= 2 * each) KeepAlive(c.client.get());
  }
  ASSERT_TRUE(hosts_.Lose(loss));
  // Scraped four times a second, finer than a Prometheus would, so that no
  // brief peak goes unseen.
  const auto start = Clock::now();
  for (auto next = start; Since(start) < duration;
       next += std::chrono::milliseconds(250)) {
    std::this_thread::sleep_until(next);
    const HttpResponse response = exporter.Get("/metrics");
    if (response.status != 200) {
      ADD_FAILURE() << "scrape failed: " << response.error;
      break;
    }
    watch.Take(response.body);
  }
  long long moved = 0, exchanged = 0;
  for (auto& b : bulk) {
    b->Stop();
    moved += b->received();
  }
  for (auto& e : exchanges) {
    e->Stop();
    exchanged += e->exchanges();
  }
  const int alarms = watch.Alarms();
  std::printf(
      "lossy control: %d%% loss each way, %.0f s, %d connections of "
      "each kind, %d scrapes, %d samples, %lld MiB moved, %lld "
      "exchanges, %d scrapes with a run of 2+ unanswered probes, %d "
      "alarms (%.3f%%), highest score %.3f\n",
      loss, duration, each, watch.scrapes, watch.samples, moved >> 20,
      exchanged, watch.runs_of_two, alarms,
      watch.samples > 0 ? 100.0 * alarms / watch.samples : 0.0, watch.worst);
  if (max_alarm_rate > 0) {
    EXPECT_LE(alarms, max_alarm_rate * watch.samples) << watch.worst_body;
  } else {
    EXPECT_EQ(alarms, 0) << watch.worst_body;
    EXPECT_LT(watch.worst, 0.5) << watch.worst_body;
  }
  if (busy) {
    EXPECT_GT(moved, 1 << 20) << "the bulk transfers did not run";
    EXPECT_GT(exchanged, 100) << "the exchanges did not run";
    EXPECT_GE(watch.kinds[0].chains.longest_chain, 2u)
        << "no chain of 2 RTOs: the control did not exercise the model";
  }
  EXPECT_GT(watch.runs_of_two, 0) << "no probe went unanswered twice in a row";
}

// 20% lost each way on one bulk transfer. The condition the model
// promises (docs/suspicion-model.md): while an ACK gets through at least
// once every 4 RTOs (no chain reaches a 5th), a connection whose record
// shows 10% round-trip loss or more stays below 0.5. Here the record showed
// 10-21%; chains of 5 and 6 unanswered RTOs do happen at this loss, and
// then the test only reports.
TEST_F(LossyControl, HeavyLossOnOneBulkConnectionStaysBelowTheThreshold) {
  const int loss = static_cast<int>(
      NumberFromEnvironment("HALFOPEN_HEAVY_LOSS_PERCENT", 20));
  const double duration =
      NumberFromEnvironment("HALFOPEN_HEAVY_LOSS_SECONDS", 60);
  ExporterProcess exporter(Flags({}), &hosts_.host());
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  TwoHosts::Connection c = hosts_.Connect(kPathIpv4);
  ASSERT_TRUE(c.ok());
  BulkTransfer bulk(&c);
  ASSERT_TRUE(hosts_.Lose(loss));
  double worst = 0;
  std::string worst_info;
  ChainWatch chains;
  const auto start = Clock::now();
  for (auto next = start; Since(start) < duration;
       next += std::chrono::milliseconds(250)) {
    std::this_thread::sleep_until(next);
    const HttpResponse response = exporter.Get("/metrics");
    ASSERT_EQ(response.status, 200) << response.error;
    const double score = ScoreOf(response.body, c.client_port);
    if (score > worst) worst_info = DescribeInfo(TcpInfoBytes(c.client.get()));
    worst = std::max(worst, score);
    chains.Sample(c.client.get());
  }
  const auto info = TcpInfoBytes(c.client.get());
  bulk.Stop();
  const double sent =
      TcpInfoField(info, wire::kTcpiDataSegsOut.offset, 4).value_or(0);
  std::printf(
      "heavy loss: %d%% each way, %.0f s, %.0f data segments sent, %.1f%% "
      "retransmitted, %u RTOs in %u chains, longest RTO chain %u, longest "
      "ACK silence in one %.1f s, highest score %.3f\n",
      loss, duration, sent,
      100.0 *
          TcpInfoField(info, wire::kTcpiTotalRetrans.offset, 4).value_or(0) /
          std::max(1.0, sent),
      TcpInfoField(info, wire::kTcpiTotalRto.offset, 2).value_or(0),
      TcpInfoField(info, wire::kTcpiTotalRtoRecoveries.offset, 2).value_or(0),
      chains.longest_chain, chains.longest_silence, worst);
  EXPECT_GT(bulk.received(), 0) << "the transfer did not run";
  if (chains.longest_chain <= 4) {
    EXPECT_LT(worst, 0.5) << worst_info;
  }
  std::printf("  at the highest score: %s\n", worst_info.c_str());
}

}  // namespace
}  // namespace halfopen::testing
