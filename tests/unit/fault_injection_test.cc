// The real sockets, listeners and halfopen collectors and the real Scraper,
// fed by fake dump sources at the I/O seam (Sources' source factory): one
// that blocks, one that throws and one that returns garbage.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>

#include "collectors/sources.h"
#include "engine/collector.h"
#include "engine/scraper.h"
#include "kernel/diag_source.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"

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

double Success(const Families& families, const std::string& collector) {
  for (const auto& family : families) {
    if (family.name != "halfopen_scrape_collector_success") continue;
    for (const auto& metric : family.metric) {
      if (metric.label.at(0).value == collector) return metric.gauge.value;
    }
  }
  return -1;
}

class FaultInjection : public ::testing::Test {
 protected:
  void SetUp() override {
    // The failures are logged; keep them out of the test's output.
    previous_logger_ = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "faults", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_)));
    SourceOptions options;
    options.procfs =
        std::string(HALFOPEN_SOURCE_DIR) + "/tests/fixtures/procfs/linux-6.18";
    sources_ = std::make_shared<Sources>(
        options, [this] { return std::make_unique<FaultySource>(&control_); });
    std::vector<Scraper::Entry> entries;
    for (const auto& spec : CollectorCatalog::Global().specs()) {
      entries.push_back({spec.name, spec.make(sources_)});
    }
    scraper_ =
        std::make_unique<Scraper>(std::move(entries), BuildInfo{"v", "r"});
  }
  void TearDown() override {
    control_.Set(Fault::kNone);  // Lets a blocked dump return.
    scraper_.reset();
    spdlog::set_default_logger(previous_logger_);
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

}  // namespace
}  // namespace halfopen
