#include "engine/scraper.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "engine/family.h"
#include "exporter/logging.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"

namespace halfopen {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;
using ::testing::HasSubstr;

class FakeCollector : public Collector {
 public:
  enum class Mode { kOk, kError, kThrow, kThrowOnce };
  explicit FakeCollector(Mode mode) : mode_(mode) {}

  Status Collect(const Scrape&,
                 std::vector<prometheus::MetricFamily>* out) override {
    auto family =
        NewFamily("fake_value", "A value.", prometheus::MetricType::Gauge);
    AddSample(&family, {}, 42);
    out->push_back(family);
    if (mode_ == Mode::kError) return Status::Error("cannot read /proc/x");
    if (mode_ == Mode::kThrow) throw std::runtime_error("boom");
    if (mode_ == Mode::kThrowOnce && calls_++ == 0) {
      throw std::runtime_error("once");
    }
    return Status::Ok();
  }

 private:
  Mode mode_;
  int calls_ = 0;
};

// Blocks in Collect() until released, as a hung read would.
class BlockingCollector : public Collector {
 public:
  Status Collect(const Scrape&,
                 std::vector<prometheus::MetricFamily>* out) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++calls_;
    released_.wait(lock, [&] { return release_; });
    out->push_back(
        NewFamily("blocking_value", "A value.", prometheus::MetricType::Gauge));
    return Status::Ok();
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    release_ = true;
    released_.notify_all();
  }
  int calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable released_;
  bool release_ = false;
  int calls_ = 0;
};

using Families = std::vector<prometheus::MetricFamily>;

std::vector<Scraper::Entry> Entries(
    std::vector<std::pair<std::string, FakeCollector::Mode>> specs) {
  std::vector<Scraper::Entry> entries;
  for (const auto& [name, mode] : specs) {
    entries.push_back({name, std::make_unique<FakeCollector>(mode)});
  }
  return entries;
}

const prometheus::MetricFamily* Find(const Families& families,
                                     const std::string& name) {
  for (const auto& family : families) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

// The sample of `family` for `collector`, or -1 when absent.
double ValueOf(const Families& families, const std::string& family,
               const std::string& collector) {
  const auto* found = Find(families, family);
  if (found == nullptr) return -1;
  for (const auto& metric : found->metric) {
    if (metric.label.at(0).value != collector) continue;
    return found->type == prometheus::MetricType::Counter ? metric.counter.value
                                                          : metric.gauge.value;
  }
  return -1;
}

double SuccessOf(const Families& families, const std::string& collector) {
  return ValueOf(families, "halfopen_scrape_collector_success", collector);
}

steady_clock::time_point In(milliseconds delay) {
  return steady_clock::now() + delay;
}

class ScraperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    sink->set_formatter(MakeLogFormatter("logfmt"));
    previous_ = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(ScraperTest, FailingCollectorReportsZeroAndOthersStillExport) {
  Scraper scraper(Entries({{"good", FakeCollector::Mode::kOk},
                           {"bad", FakeCollector::Mode::kError},
                           {"throws", FakeCollector::Mode::kThrow}}),
                  {"1.2.3", "abc"});
  const auto families = scraper.Collect(In(seconds(10)));
  EXPECT_EQ(SuccessOf(families, "good"), 1);
  EXPECT_EQ(SuccessOf(families, "bad"), 0);
  EXPECT_EQ(SuccessOf(families, "throws"), 0);
  // Only the good collector's output survives; the failed ones' is dropped.
  int fake_families = 0;
  for (const auto& family : families)
    fake_families += family.name == "fake_value";
  EXPECT_EQ(fake_families, 1);
  EXPECT_THAT(log_.str(), HasSubstr("msg=\"collector failed\" collector=bad "
                                    "error=\"cannot read /proc/x\""));
  EXPECT_THAT(log_.str(), HasSubstr("msg=\"collector failed\" "
                                    "collector=throws error=\"threw: boom\""));
}

TEST_F(ScraperTest, ExportsDurationPerCollectorAndBuildInfo) {
  Scraper scraper(Entries({{"a", FakeCollector::Mode::kOk},
                           {"b", FakeCollector::Mode::kError}}),
                  {"1.2.3", "abc"});
  const auto families = scraper.Collect(In(seconds(10)));
  const auto* duration =
      Find(families, "halfopen_scrape_collector_duration_seconds");
  ASSERT_NE(duration, nullptr);
  ASSERT_EQ(duration->metric.size(), 2u);
  EXPECT_EQ(duration->metric[1].label[0].value, "b");
  EXPECT_GE(duration->metric[0].gauge.value, 0);
  const auto* build = Find(families, "halfopen_build_info");
  ASSERT_NE(build, nullptr);
  EXPECT_EQ(build->metric[0].label[0].name, "version");
  EXPECT_EQ(build->metric[0].label[0].value, "1.2.3");
  EXPECT_EQ(build->metric[0].label[1].value, "abc");
  EXPECT_EQ(build->metric[0].gauge.value, 1);
}

TEST_F(ScraperTest, RepeatedFailuresAreLoggedOncePerMinute) {
  auto now = steady_clock::time_point{} + std::chrono::hours(1);
  Scraper scraper(Entries({{"bad", FakeCollector::Mode::kError}}), {"v", "r"},
                  [&] { return now; });
  for (int i = 0; i < 5; ++i) {
    scraper.Collect(In(seconds(10)));
    now += seconds(10);
  }
  now += seconds(20);
  scraper.Collect(In(seconds(10)));
  const std::string log = log_.str();
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 2) << log;
  const auto families = scraper.Collect(In(seconds(10)));
  EXPECT_EQ(ValueOf(families, "halfopen_scrape_collector_errors_total", "bad"),
            7);
  EXPECT_THAT(log, HasSubstr("suppressed_since_last=0"));
  EXPECT_THAT(log, HasSubstr("suppressed_since_last=4"));
}

TEST_F(ScraperTest, ThrowingCollectorFailsOnceAndTheNextScrapeWorks) {
  Scraper scraper(Entries({{"flaky", FakeCollector::Mode::kThrowOnce}}),
                  {"v", "r"});
  EXPECT_EQ(SuccessOf(scraper.Collect(In(seconds(10))), "flaky"), 0);
  EXPECT_EQ(SuccessOf(scraper.Collect(In(seconds(10))), "flaky"), 1);
}

TEST_F(ScraperTest, CollectorStillRunningAtTheDeadlineFailsAndOthersAreServed) {
  auto blocking = std::make_unique<BlockingCollector>();
  BlockingCollector* hung = blocking.get();
  std::vector<Scraper::Entry> entries;
  entries.push_back({"hung", std::move(blocking)});
  entries.push_back(
      {"good", std::make_unique<FakeCollector>(FakeCollector::Mode::kOk)});
  Scraper scraper(std::move(entries), {"v", "r"});

  const auto first = scraper.Collect(In(milliseconds(200)));
  EXPECT_EQ(SuccessOf(first, "hung"), 0);
  EXPECT_EQ(SuccessOf(first, "good"), 1);
  EXPECT_EQ(Find(first, "blocking_value"), nullptr);
  EXPECT_EQ(ValueOf(first, "halfopen_scrape_collector_errors_total", "hung"),
            1);
  EXPECT_THAT(log_.str(), HasSubstr("collector=hung error=\"still running at "
                                    "the scrape's deadline, after"));

  // The next scrape does not wait for the hung collector at all.
  const auto second = scraper.Collect(In(seconds(60)));
  EXPECT_EQ(SuccessOf(second, "hung"), 0);
  EXPECT_EQ(SuccessOf(second, "good"), 1);
  EXPECT_EQ(ValueOf(second, "halfopen_scrape_collector_errors_total", "hung"),
            2);
  EXPECT_EQ(hung->calls(), 1);

  // Once it returns, it runs again on the next scrape.
  hung->Release();
  // Polled for up to 5 s: the released thread must first be scheduled to
  // return, which on a loaded machine takes a while.
  bool recovered = false;
  const auto give_up = std::chrono::steady_clock::now() + seconds(5);
  while (!recovered && std::chrono::steady_clock::now() < give_up) {
    recovered = SuccessOf(scraper.Collect(In(seconds(10))), "hung") == 1;
    if (!recovered) std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_TRUE(recovered);
  EXPECT_EQ(hung->calls(), 2);
}

TEST_F(ScraperTest, ConcurrentScrapesShareOneCollection) {
  auto blocking = std::make_unique<BlockingCollector>();
  BlockingCollector* hung = blocking.get();
  std::vector<Scraper::Entry> entries;
  entries.push_back({"hung", std::move(blocking)});
  Scraper scraper(std::move(entries), {"v", "r"});

  // The first scrape would wait a minute; nothing else can end its
  // collection but a scrape that shares it with an earlier deadline.
  Families first;
  std::thread first_scrape([&] { first = scraper.Collect(In(seconds(60))); });
  while (hung->calls() == 0) std::this_thread::yield();
  const auto second = scraper.Collect(In(milliseconds(100)));
  first_scrape.join();

  EXPECT_EQ(hung->calls(), 1);
  EXPECT_EQ(SuccessOf(first, "hung"), 0);
  EXPECT_EQ(ValueOf(first, "halfopen_scrape_collector_errors_total", "hung"),
            1);
  EXPECT_EQ(
      ValueOf(second, "halfopen_scrape_collector_duration_seconds", "hung"),
      ValueOf(first, "halfopen_scrape_collector_duration_seconds", "hung"));
  hung->Release();
}

}  // namespace
}  // namespace halfopen
