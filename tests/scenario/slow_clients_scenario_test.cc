// Slow clients against the real exporter in a namespace of its own: a
// hundred connections that send half a request, one byte at a time, must
// not delay a scrape, and once the server has dropped them its descriptors
// and threads are back where they were.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/exporter_process.h"
#include "tests/support/netns.h"
#include "tests/support/sockets.h"
#include "tests/support/tls_files.h"

namespace halfopen::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

constexpr int kSlowClients = 100;
constexpr char kPartialRequest[] = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-A: ";

int OpenFds(int pid) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           "/proc/" + std::to_string(pid) + "/fd")) {
    (void)entry;
    ++count;
  }
  return count;
}

int Threads(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

// Polls `condition` every 100 ms until it holds or `timeout` passes.
bool Eventually(const std::function<bool()>& condition, seconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  while (steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return condition();
}

// Opens the slow connections from inside `ns`; `partial` is sent first.
std::vector<Fd> OpenSlowClients(const NetNs& ns, int port,
                                const std::string& partial) {
  std::vector<Fd> clients;
  ns.Run([&] {
    for (int i = 0; i < kSlowClients; ++i) {
      clients.push_back(ConnectBlocking("127.0.0.1", port));
      if (!partial.empty()) {
        send(clients.back().get(), partial.data(), partial.size(),
             MSG_NOSIGNAL);
      }
    }
  });
  return clients;
}

// Sends one more byte on every client still open, as slowloris does.
void Trickle(const std::vector<Fd>& clients) {
  for (const auto& client : clients) {
    send(client.get(), "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  }
}

TEST(SlowClientsScenario, HundredSlowClientsDoNotDelayAScrapeAndAreDropped) {
  REQUIRE_NAMESPACES();
  NetNs ns("slow");
  ASSERT_TRUE(ns.ok());
  ExporterProcess exporter({}, &ns);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const int pid = exporter.process().pid();
  ASSERT_EQ(exporter.Get("/metrics").status, 200);
  const int baseline_fds = OpenFds(pid);
  const int baseline_threads = Threads(pid);

  std::vector<Fd> clients =
      OpenSlowClients(ns, exporter.port(), kPartialRequest);
  ASSERT_TRUE(Eventually(
      [&] { return OpenFds(pid) >= baseline_fds + kSlowClients; }, seconds(10)))
      << OpenFds(pid);
  Trickle(clients);

  const auto start = steady_clock::now();
  const HttpResponse scrape = exporter.Get("/metrics");
  const auto took = steady_clock::now() - start;
  EXPECT_EQ(scrape.status, 200) << scrape.error;
  EXPECT_LT(took, milliseconds(2000));

  // The server cuts them off after its request timeout, however slowly
  // they keep sending.
  EXPECT_TRUE(Eventually(
      [&] {
        Trickle(clients);
        return OpenFds(pid) == baseline_fds;
      },
      seconds(30)))
      << OpenFds(pid) << " descriptors, " << baseline_fds << " at start";
  EXPECT_EQ(Threads(pid), baseline_threads);
  EXPECT_EQ(exporter.Get("/metrics").status, 200);
}

TEST(SlowClientsScenario, HundredSilentTlsClientsDoNotDelayAnHttpsScrape) {
  REQUIRE_NAMESPACES();
  TlsFiles files;
  ASSERT_TRUE(files.ok()) << files.error();
  NetNs ns("slowtls");
  ASSERT_TRUE(ns.ok());
  const std::string config = files.Write(
      "web.yml",
      "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n");
  ExporterProcess exporter({"--web.config.file=" + config}, &ns);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const int pid = exporter.process().pid();
  const std::string scrape =
      "curl -sf -o /dev/null --max-time 10 --cacert " + files.Path("ca.crt") +
      " https://127.0.0.1:" + std::to_string(exporter.port()) + "/metrics";
  // A first scrape opens what the exporter keeps (its netlink socket).
  ASSERT_EQ(ns.Exec(scrape), 0);
  const int baseline_fds = OpenFds(pid);

  // Connected, but never starting the handshake.
  std::vector<Fd> clients = OpenSlowClients(ns, exporter.port(), "");
  ASSERT_TRUE(
      Eventually([&] { return OpenFds(pid) >= baseline_fds + kSlowClients; },
                 seconds(10)));

  const auto start = steady_clock::now();
  std::string output;
  EXPECT_EQ(ns.Exec(scrape, &output), 0) << output;
  EXPECT_LT(steady_clock::now() - start, milliseconds(2000));
  EXPECT_TRUE(
      Eventually([&] { return OpenFds(pid) == baseline_fds; }, seconds(30)))
      << OpenFds(pid) << " descriptors, " << baseline_fds << " at start";
}

}  // namespace
}  // namespace halfopen::testing
