// Every collector and the real Scraper, with faults injected at the I/O
// seams: dump sources that block, throw or return garbage (Sources' source
// factory); the kernel failing under the real netlink source (its
// NetlinkChannel: EINTR, ENOBUFS, an NLMSG_ERROR or a DONE with an error
// mid-dump, datagrams cut short or too long); and /proc files that vanish,
// come back empty or hold junk (a copy of a fixture tree as --path.procfs).
// Each fault must fail only the collectors that read what broke, count and
// log it, leave the others' series as they were, and be gone at the next
// scrape.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>

#include "engine/collector.h"
#include "engine/scraper.h"
#include "kernel/diag_source.h"
#include "prometheus/text_serializer.h"
#include "sources/sources.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"
#include "tests/unit/scripted_netlink_channel.h"

namespace halfopen {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Families = std::vector<prometheus::MetricFamily>;

enum class Fault { kNone, kBlock, kThrow, kGarbage };

// What the fake sources do, switchable by the test.
class FaultControl {
 public:
  void Set(Fault fault) {
    std::lock_guard<std::mutex> lock(mu_);
    fault_ = fault;
    changed_.notify_all();
  }
  Fault Get() {
    std::lock_guard<std::mutex> lock(mu_);
    return fault_;
  }
  // Blocks while the fault is kBlock.
  void WaitWhileBlocked() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return fault_ != Fault::kBlock; });
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  Fault fault_ = Fault::kNone;
};

class FaultySource : public DiagSource {
 public:
  explicit FaultySource(FaultControl* control) : control_(control) {}

  Status Dump(DumpScope scope, const DatagramHandler& handler) override {
    switch (control_->Get()) {
      case Fault::kBlock:
        control_->WaitWhileBlocked();
        return Status::Error("released");
      case Fault::kThrow:
        throw std::runtime_error("the dump exploded");
      case Fault::kGarbage:
        return Garbage(handler);
      default:
        return MakeReplayDiagSource(std::string(HALFOPEN_SOURCE_DIR) +
                                    "/tests/fixtures/sockdiag/"
                                    "linux-6.18-legacy.diag")
            ->Dump(scope, handler);
    }
  }

 private:
  static Status Garbage(const DatagramHandler& handler) {
    std::mt19937 random(42);
    std::vector<std::uint8_t> bytes(4096);
    for (int i = 0; i < 64; ++i) {
      for (auto& byte : bytes) byte = static_cast<std::uint8_t>(random());
      const auto verdict = handler(bytes, DiagRequestId{1, 0});
      if (verdict == DatagramVerdict::kFail) return Status::Error("abandoned");
      if (verdict == DatagramVerdict::kDone) return Status::Ok();
    }
    return Status::Error("the garbage never ended the dump");
  }

  FaultControl* control_;
};

const std::string kFixtureProcfs =
    std::string(HALFOPEN_SOURCE_DIR) + "/tests/fixtures/procfs/linux-6.18";

// The value of a self-metric of `collector` (-1 when absent).
double CollectorSample(const Families& families, const std::string& name,
                       const std::string& collector) {
  for (const auto& family : families) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      if (metric.label.at(0).value == collector) {
        return family.type == prometheus::MetricType::Counter
                   ? metric.counter.value
                   : metric.gauge.value;
      }
    }
  }
  return -1;
}

double Success(const Families& families, const std::string& collector) {
  return CollectorSample(families, "halfopen_scrape_collector_success",
                         collector);
}

double Errors(const Families& families, const std::string& collector) {
  return CollectorSample(families, "halfopen_scrape_collector_errors_total",
                         collector);
}

// The exposition text of the families whose names start with `prefix`, as
// the HTTP handler would serve them.
std::string Exposition(const Families& families, const std::string& prefix) {
  Families chosen;
  for (const auto& family : families) {
    if (family.name.rfind(prefix, 0) == 0) chosen.push_back(family);
  }
  return prometheus::TextSerializer().Serialize(chosen);
}

class FaultInjection : public ::testing::Test {
 protected:
  void SetUp() override {
    Start([this] { return std::make_unique<FaultySource>(&control_); });
  }
  void TearDown() override {
    control_.Set(Fault::kNone);  // Lets a blocked dump return.
    scraper_.reset();
    spdlog::set_default_logger(previous_logger_);
  }

  // Every collector of the catalog over `make_source` and the procfs tree
  // at `procfs`.
  void Start(SocketWalker::SourceFactory make_source,
             const std::string& procfs = kFixtureProcfs) {
    // The failures are logged; keep them out of the test's output.
    previous_logger_ = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "faults", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_)));
    SourceOptions options;
    options.procfs = procfs;
    sources_ = std::make_shared<Sources>(options, std::move(make_source));
    std::vector<Scraper::Entry> entries;
    for (const auto& spec : CollectorCatalog::Global().specs()) {
      entries.push_back({spec.name, spec.make(sources_)});
    }
    scraper_ =
        std::make_unique<Scraper>(std::move(entries), BuildInfo{"v", "r"});
  }

  Families Scrape(milliseconds budget) {
    return scraper_->Collect(std::chrono::steady_clock::now() + budget);
  }

  // Scrapes until the walk's collectors succeed again (bounded).
  bool Recovers() {
    for (int i = 0; i < 200; ++i) {
      if (Success(Scrape(seconds(5)), "sockets") == 1) return true;
    }
    return false;
  }

  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> previous_logger_;
  FaultControl control_;
  std::shared_ptr<Sources> sources_;
  std::unique_ptr<Scraper> scraper_;
};

constexpr const char* kWalkers[] = {"sockets", "listeners", "halfopen"};

TEST_F(FaultInjection, HealthySourceScrapesEveryCollector) {
  const Families families = Scrape(seconds(5));
  for (const char* name :
       {"sockets", "listeners", "halfopen", "netstat", "tcpsettings"}) {
    EXPECT_EQ(Success(families, name), 1) << name;
  }
}

TEST_F(FaultInjection, BlockingSourceFailsItsCollectorsAtTheDeadline) {
  control_.Set(Fault::kBlock);
  const Families first = Scrape(milliseconds(200));
  for (const char* name : kWalkers) EXPECT_EQ(Success(first, name), 0) << name;
  EXPECT_EQ(Success(first, "netstat"), 1);
  EXPECT_EQ(Success(first, "tcpsettings"), 1);
  // Still blocked: the next scrape ends too, and the others still work.
  const Families second = Scrape(milliseconds(200));
  EXPECT_EQ(Success(second, "sockets"), 0);
  EXPECT_EQ(Success(second, "netstat"), 1);
  control_.Set(Fault::kNone);
  EXPECT_TRUE(Recovers());
}

TEST_F(FaultInjection, ThrowingSourceFailsItsCollectorsAndTheNextScrapeWorks) {
  control_.Set(Fault::kThrow);
  const Families families = Scrape(seconds(5));
  for (const char* name : kWalkers) {
    EXPECT_EQ(Success(families, name), 0) << name;
  }
  EXPECT_EQ(Success(families, "netstat"), 1);
  EXPECT_THAT(log_.str(), ::testing::HasSubstr("threw: the dump exploded"));
  control_.Set(Fault::kNone);
  EXPECT_TRUE(Recovers());
}

TEST_F(FaultInjection, GarbageFromTheSourceIsCountedNotTrusted) {
  control_.Set(Fault::kGarbage);
  const Families families = Scrape(seconds(5));
  EXPECT_EQ(Success(families, "netstat"), 1);
  double parse_errors = 0;
  for (const auto& family : families) {
    if (family.name == "halfopen_sockdiag_parse_errors_total") {
      parse_errors = family.metric.at(0).counter.value;
    }
  }
  // Either the dump is refused or every bad message is counted.
  EXPECT_TRUE(Success(families, "sockets") == 0 || parse_errors > 0);
  control_.Set(Fault::kNone);
  EXPECT_TRUE(Recovers());
}

// The collectors that read the socket walk; netstat and tcpsettings read
// /proc files only.
constexpr const char* kFileReaders[] = {"netstat", "tcpsettings"};

// Families of the collectors that read files, by prefix.
constexpr const char* kFilePrefixes[] = {"halfopen_netstat_",
                                         "halfopen_kernel_"};

// A fault in the kernel's answer, what the log says of it, and whether the
// source must drop its socket (after an error the rest of the dump may still
// be queued on it; a datagram cut short still ends in DONE).
struct NetlinkCase {
  testing::NetlinkFault fault;
  const char* message;
  bool reopens;
};

// Each collector and the prefix of the data families it serves (without the
// self-metrics and durations, which change from scrape to scrape).
const std::pair<std::string, std::string> kFamiliesOf[] = {
    {"netstat", "halfopen_netstat_"},
    {"tcpsettings", "halfopen_kernel_"},
    {"sockets", "halfopen_tcp_"},
    {"listeners", "halfopen_listen_"},
    {"halfopen", "halfopen_suspect"}};

class NetlinkFaults : public FaultInjection,
                      public ::testing::WithParamInterface<NetlinkCase> {
 protected:
  void SetUp() override {
    Start([this] {
      return MakeNetlinkDiagSource(
          DiagRequestMode::kLegacySingleWalk,
          std::make_unique<testing::ScriptedNetlinkChannel>(&script_));
    });
  }

  testing::NetlinkScript script_;
};

TEST_P(NetlinkFaults, FailOnlyTheWalkersCountedLoggedAndGoneNextScrape) {
  const auto [fault, message, reopens] = GetParam();
  const Families before = Scrape(seconds(5));
  for (const char* name : kWalkers) ASSERT_EQ(Success(before, name), 1);

  script_.Set(fault);
  const Families during = Scrape(seconds(5));
  for (const char* name : kWalkers) {
    EXPECT_EQ(Success(during, name), 0) << name;
    EXPECT_EQ(Errors(during, name), 1) << name;
  }
  for (const char* name : kFileReaders) {
    EXPECT_EQ(Success(during, name), 1) << name;
    EXPECT_EQ(Errors(during, name), 0) << name;
  }
  for (const char* prefix : kFilePrefixes) {
    EXPECT_EQ(Exposition(during, prefix), Exposition(before, prefix));
  }
  EXPECT_THAT(log_.str(), ::testing::HasSubstr("collector failed"));
  EXPECT_THAT(log_.str(), ::testing::HasSubstr(message));

  script_.Set(testing::NetlinkFault::kNone);
  const Families after = Scrape(seconds(5));
  for (const char* name : kWalkers) EXPECT_EQ(Success(after, name), 1);
  for (const auto& [collector, prefix] : kFamiliesOf) {
    EXPECT_EQ(Exposition(after, prefix), Exposition(before, prefix));
  }
  EXPECT_EQ(script_.opens(), reopens ? 2 : 1);
}

INSTANTIATE_TEST_SUITE_P(
    MidDump, NetlinkFaults,
    ::testing::Values(
        NetlinkCase{testing::NetlinkFault::kEnobufs,
                    "netlink receive: ENOBUFS (No buffer space available)",
                    true},
        NetlinkCase{testing::NetlinkFault::kErrorMessage,
                    "the kernel answered EBUSY", true},
        NetlinkCase{testing::NetlinkFault::kDoneWithError,
                    "the dump ended with ENOMEM", true},
        NetlinkCase{testing::NetlinkFault::kCutShort,
                    "1 datagram(s) ended inside a netlink message", false},
        NetlinkCase{testing::NetlinkFault::kOversized,
                    "datagram truncated (MSG_TRUNC)", true}));

using NetlinkSignals = NetlinkFaults;

// A signal is no failure: the receive is retried and nothing is lost.
TEST_F(NetlinkSignals, EintrMidDumpIsRetriedAndLosesNothing) {
  const Families before = Scrape(seconds(5));
  script_.Set(testing::NetlinkFault::kEintr);
  const Families during = Scrape(seconds(5));
  for (const char* name : kWalkers) {
    EXPECT_EQ(Success(during, name), 1) << name;
    EXPECT_EQ(Errors(during, name), 0) << name;
  }
  for (const auto& [collector, prefix] : kFamiliesOf) {
    EXPECT_EQ(Exposition(during, prefix), Exposition(before, prefix));
  }
  EXPECT_EQ(script_.opens(), 1);
}

// A copy of a fixture procfs tree, whose files the test breaks and mends.
class ProcfsFaults : public FaultInjection {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("halfopen-procfs-" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    std::filesystem::copy(kFixtureProcfs, root_,
                          std::filesystem::copy_options::recursive);
    Start(
        [] {
          return MakeReplayDiagSource(std::string(HALFOPEN_SOURCE_DIR) +
                                      "/tests/fixtures/sockdiag/"
                                      "linux-6.18-legacy.diag");
        },
        root_.string());
  }
  void TearDown() override {
    FaultInjection::TearDown();
    std::filesystem::remove_all(root_);
  }

  std::string Path(const std::string& relative) const {
    return (root_ / relative).string();
  }
  void Write(const std::string& relative, const std::string& text) const {
    std::ofstream(Path(relative), std::ios::trunc) << text;
  }
  std::string Read(const std::string& relative) const {
    std::ifstream in(Path(relative));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // Scrapes with `relative` broken by `fault`, then mended. Expects exactly
  // `failing` to fail, counted and logged with `message`, every other
  // collector's series as before, and everything back at the next scrape.
  void ExpectOnlyTheseFail(const std::string& relative,
                           const std::function<void()>& fault,
                           const std::vector<std::string>& failing,
                           const std::string& message) {
    const std::string saved = Read(relative);
    const Families before = Scrape(seconds(5));
    fault();
    const Families during = Scrape(seconds(5));
    for (const auto& spec : CollectorCatalog::Global().specs()) {
      const bool fails =
          std::find(failing.begin(), failing.end(), spec.name) != failing.end();
      EXPECT_EQ(Success(during, spec.name), fails ? 0 : 1) << spec.name;
      EXPECT_EQ(Errors(during, spec.name), fails ? 1 : 0) << spec.name;
    }
    // What the collectors that did not fail serve is what they served.
    for (const auto& [collector, prefix] : kFamiliesOf) {
      if (std::find(failing.begin(), failing.end(), collector) ==
          failing.end()) {
        EXPECT_EQ(Exposition(during, prefix), Exposition(before, prefix))
            << prefix;
      }
    }
    EXPECT_THAT(log_.str(), ::testing::HasSubstr("collector failed"));
    EXPECT_THAT(log_.str(), ::testing::HasSubstr(message));
    Write(relative, saved);
    const Families after = Scrape(seconds(5));
    for (const auto& spec : CollectorCatalog::Global().specs()) {
      EXPECT_EQ(Success(after, spec.name), 1) << spec.name;
    }
    for (const auto& [collector, prefix] : kFamiliesOf) {
      EXPECT_EQ(Exposition(after, prefix), Exposition(before, prefix))
          << prefix;
    }
  }

  std::filesystem::path root_;
};

TEST_F(ProcfsFaults, NetstatFileVanishingFailsOnlyNetstat) {
  ExpectOnlyTheseFail(
      "net/netstat", [&] { std::filesystem::remove(Path("net/netstat")); },
      {"netstat"}, "net/netstat: No such file or directory");
}

TEST_F(ProcfsFaults, SnmpFileComingBackEmptyFailsOnlyNetstat) {
  ExpectOnlyTheseFail(
      "net/snmp", [&] { Write("net/snmp", ""); }, {"netstat"},
      "net/snmp: empty file");
}

TEST_F(ProcfsFaults, JunkInASysctlOnlyExportedFailsOnlyTcpsettings) {
  const std::string file = "sys/net/ipv4/tcp_fin_timeout";
  ExpectOnlyTheseFail(
      file, [&] { Write(file, "60 seconds\n"); }, {"tcpsettings"},
      "tcp_fin_timeout: \"60 seconds\" is not a whole number");
}

// The suspicion model scores with tcp_retries2 too: it will not guess.
TEST_F(ProcfsFaults, JunkInASysctlTheModelUsesFailsTcpsettingsAndHalfopen) {
  const std::string file = "sys/net/ipv4/tcp_retries2";
  ExpectOnlyTheseFail(
      file, [&] { Write(file, "\x01\xff\n"); }, {"tcpsettings", "halfopen"},
      "tcp_retries2: \"\\x01\xff\" is not a whole number");
}

}  // namespace
}  // namespace halfopen
