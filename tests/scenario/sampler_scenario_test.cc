// The listener sampler on real kernels: a burst that fills an accept queue
// between two scrapes and drains before the second is timed and peaked, and
// its drops counted exactly; a quiet neighbour gets none of it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/support/exporter_process.h"
#include "tests/support/exposition.h"
#include "tests/support/netns.h"
#include "tests/support/sockets.h"

namespace halfopen::testing {
namespace {

using std::chrono::duration;
using std::chrono::seconds;
using std::chrono::steady_clock;

// The sampler's default interval (the flag's default): the tolerance of a
// timed burst is a few of them.
constexpr double kInterval = 0.1;

// The listeners collector with its sampler at that interval. Its CPU
// budget is lifted: where sampling is slow (under emulation a round cost
// 5-20 ms) the budget stretches the interval to seconds, and a burst the
// test times then falls between two samples.
std::vector<std::string> SamplerFlags(std::vector<std::string> more = {}) {
  std::vector<std::string> flags = {"--collector.disable-defaults",
                                    "--collector.listeners",
                                    "--collector.listeners.sample-budget=0"};
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
}

std::string PortLabel(int port) {
  return "port=\"" + std::to_string(port) + "\"";
}

double Sampled(const std::string& body, const std::string& metric, int port,
               const std::string& netns = "") {
  std::vector<std::string> labels = {PortLabel(port)};
  if (!netns.empty()) labels.push_back("netns=\"" + netns + "\"");
  return FindSample(body, metric, labels).value_or(-1);
}

double NamespaceValue(const std::string& body, const std::string& metric,
                      const std::string& netns = "") {
  if (netns.empty()) return SampleValue(body, metric).value_or(-1);
  return FindSample(body, metric, {"netns=\"" + netns + "\""}).value_or(-1);
}

long long ListenDrops(const NetNs& ns) {
  return CounterFromProcText(ns.ReadProcNet("netstat"), "TcpExt",
                             "ListenDrops");
}

// The kernel's accept-queue length of the listener on `port` (ss Recv-Q).
int QueueLength(const NetNs& ns, int port) {
  std::string output;
  ns.Exec("ss -Hltn 'sport = :" + std::to_string(port) + "'", &output);
  std::istringstream line(output);
  std::string state;
  int length = -1;
  line >> state >> length;
  return length;
}

// Accepts every connection of `listener` on a thread of its own, from
// Start() until destroyed.
class Acceptor {
 public:
  explicit Acceptor(const Fd& listener) : listener_(listener) {}
  ~Acceptor() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  void Start() {
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd ready{listener_.get(), POLLIN, 0};
        if (poll(&ready, 1, 20) <= 0) continue;
        const int fd = accept4(listener_.get(), nullptr, nullptr,
                               SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) accepted_.emplace_back(fd);
      }
    });
  }

 private:
  const Fd& listener_;
  std::atomic<bool> stop_{false};
  std::vector<Fd> accepted_;  // Kept open: the clients stay connected.
  std::thread thread_;
};

// A listener with `backlog` that does not accept until Drain(), and a burst
// of clients that fills its queue.
struct Burst {
  Fd listener;
  int port = 0;
  std::vector<Fd> clients;
  double full_seconds = 0;  // As the test saw it: from full to drained.
  // How late the test may have seen each end of it: its slowest look at the
  // queue (an `ss` run, slow under emulation).
  double observation_seconds = 0;
};

// How far the sampler's timing of `burst` may be from the test's: a few of
// the sampler's intervals (as it reports them), plus the test's own lateness
// at either end.
double Tolerance(const std::string& body, const Burst& burst) {
  const double interval = std::max(
      kInterval,
      NamespaceValue(body, "halfopen_listener_sample_interval_seconds"));
  return 3 * interval + 2 * burst.observation_seconds;
}

// Fills `burst`'s queue with `clients` connections, holds it full for
// `hold`, then accepts everything from then on. Returns false when the
// queue never filled. Keep `clients` within twice what the queue holds:
// the dropped SYNs are retried together later, and must then fit.
bool RunBurst(const NetNs& ns, Burst* burst, int backlog, int clients,
              duration<double> hold, Acceptor* acceptor) {
  ns.Run([&] {
    for (int i = 0; i < clients; ++i) {
      burst->clients.push_back(ConnectNonBlocking("127.0.0.1", burst->port));
    }
  });
  auto timed_length = [&] {
    const auto start = steady_clock::now();
    const int length = QueueLength(ns, burst->port);
    burst->observation_seconds =
        std::max(burst->observation_seconds,
                 duration<double>(steady_clock::now() - start).count());
    return length;
  };
  const auto deadline = steady_clock::now() + seconds(5);
  while (timed_length() <= backlog) {
    if (steady_clock::now() > deadline) return false;
  }
  const auto full_since = steady_clock::now();
  std::this_thread::sleep_for(hold);  // The burst itself: the queue stays full.
  acceptor->Start();
  while (timed_length() > backlog) {
    if (steady_clock::now() > deadline + hold) return false;
  }
  burst->full_seconds =
      duration<double>(steady_clock::now() - full_since).count();
  return true;
}

TEST(SamplerScenario, BurstBetweenScrapesIsTimedPeakedAndCounted) {
  REQUIRE_NAMESPACES();
  NetNs ns("burst");
  ASSERT_TRUE(ns.ok());
  constexpr int kBacklog = 3;
  Burst burst;
  Fd quiet;
  int quiet_port = 0;
  std::vector<Fd> quiet_clients;
  ns.Run([&] {
    burst.listener = ListenTcp("127.0.0.1", kBacklog, &burst.port);
    // A neighbour with connections waiting, never full.
    quiet = ListenTcp("127.0.0.1", 64, &quiet_port);
    for (int i = 0; i < 5; ++i) {
      quiet_clients.push_back(ConnectNonBlocking("127.0.0.1", quiet_port));
    }
  });
  ASSERT_TRUE(burst.listener.valid() && quiet.valid());
  ExporterProcess exporter(SamplerFlags(), &ns);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();

  // The first scrape, once the sampler has seen both listeners.
  bool ready = false;
  const std::string before = exporter.ScrapeUntil(
      [&](const std::string& body) {
        return NamespaceValue(body, "halfopen_listener_samples_total") > 0 &&
               Sampled(body, "halfopen_listen_queue_peak_length", quiet_port) ==
                   5;
      },
      seconds(10), &ready);
  ASSERT_TRUE(ready) << before;
  const auto first_scrape = steady_clock::now();
  const long long drops_before = ListenDrops(ns);

  Acceptor acceptor(burst.listener);
  ASSERT_TRUE(
      RunBurst(ns, &burst, kBacklog, kBacklog + 1 + 2, seconds(1), &acceptor));
  // The second scrape, 5 s after the first: the burst is long over.
  std::this_thread::sleep_until(first_scrape + seconds(5));
  const HttpResponse response = exporter.Get("/metrics");
  ASSERT_EQ(response.status, 200) << response.error;
  const std::string& after = response.body;
  const long long drops = ListenDrops(ns) - drops_before;
  ASSERT_GT(drops, 0) << "the burst overflowed nothing";

  // Nothing of it shows in the instantaneous gauges any more...
  EXPECT_EQ(Sampled(after, "halfopen_listen_queue_length", burst.port), 0);
  // ...but the sampler saw it: how long and how high; and the drops are the
  // listener's own.
  const double full =
      Sampled(after, "halfopen_listen_queue_full_seconds_total", burst.port) -
      Sampled(before, "halfopen_listen_queue_full_seconds_total", burst.port);
  std::printf(
      "burst: full %.3f s as the test saw it (each look took up to %.3f s), "
      "%.3f s sampled; %lld drops\n",
      burst.full_seconds, burst.observation_seconds, full, drops);
  EXPECT_NEAR(full, burst.full_seconds, Tolerance(after, burst)) << after;
  EXPECT_EQ(Sampled(after, "halfopen_listen_queue_peak_length", burst.port),
            kBacklog + 1);
  EXPECT_EQ(Sampled(after, "halfopen_listen_drops_total", burst.port) -
                Sampled(before, "halfopen_listen_drops_total", burst.port),
            static_cast<double>(drops))
      << after;

  // The quiet neighbour, never full, dropped nothing.
  EXPECT_EQ(Sampled(after, "halfopen_listen_drops_total", quiet_port), 0);
  EXPECT_EQ(
      Sampled(after, "halfopen_listen_queue_full_seconds_total", quiet_port),
      0);
  EXPECT_EQ(NamespaceValue(after, "halfopen_listener_sample_errors_total"), 0);
  EXPECT_GT(NamespaceValue(after, "halfopen_listener_sampler_seconds_total"),
            0);
}

// With --netns.scope=all the exporter in the host's namespace samples a
// pod's namespace too, with its own counter.
TEST(SamplerScenario, EveryNamespaceIsSampledWithItsOwnCounter) {
  REQUIRE_NAMESPACES();
  NetNs pod(NetNs::Unnamed{});
  ASSERT_TRUE(pod.ok());
  constexpr int kBacklog = 2;
  Burst burst;
  pod.Run(
      [&] { burst.listener = ListenTcp("127.0.0.1", kBacklog, &burst.port); });
  ASSERT_TRUE(burst.listener.valid());
  ExporterProcess exporter(SamplerFlags({"--netns.scope=all"}));
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const std::string netns = pod.inode();

  // Namespaces are found at a scrape; the sampler follows from then on.
  bool ready = false;
  const std::string before = exporter.ScrapeUntil(
      [&](const std::string& body) {
        return NamespaceValue(body, "halfopen_listener_samples_total", netns) >
                   0 &&
               Sampled(body, "halfopen_listen_drops_total", burst.port,
                       netns) == 0;
      },
      seconds(10), &ready);
  ASSERT_TRUE(ready) << before;
  const long long drops_before = ListenDrops(pod);
  Acceptor acceptor(burst.listener);
  ASSERT_TRUE(RunBurst(pod, &burst, kBacklog, kBacklog + 1 + 2,
                       std::chrono::milliseconds(600), &acceptor));
  const long long drops = ListenDrops(pod) - drops_before;
  ASSERT_GT(drops, 0);

  // Polled: the burst's retried SYNs may still be arriving.
  bool counted = false;
  const std::string after = exporter.ScrapeUntil(
      [&](const std::string& body) {
        return Sampled(body, "halfopen_listen_drops_total", burst.port, netns) -
                   Sampled(before, "halfopen_listen_drops_total", burst.port,
                           netns) ==
               static_cast<double>(ListenDrops(pod) - drops_before);
      },
      seconds(5), &counted);
  EXPECT_TRUE(counted) << after;
  EXPECT_EQ(
      Sampled(after, "halfopen_listen_queue_peak_length", burst.port, netns),
      kBacklog + 1);
  EXPECT_NEAR(Sampled(after, "halfopen_listen_queue_full_seconds_total",
                      burst.port, netns),
              burst.full_seconds, Tolerance(after, burst));
}

}  // namespace
}  // namespace halfopen::testing
