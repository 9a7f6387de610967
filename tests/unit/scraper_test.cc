#include "engine/scraper.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "engine/family.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"

namespace halfopen {
namespace {

using ::testing::HasSubstr;

class FakeCollector : public Collector {
 public:
  enum class Mode { kOk, kError, kThrow };
  explicit FakeCollector(Mode mode) : mode_(mode) {}

  Status Collect(const Scrape&,
                 std::vector<prometheus::MetricFamily>* out) override {
    auto family =
        NewFamily("fake_value", "A value.", prometheus::MetricType::Gauge);
    AddSample(&family, {}, 42);
    out->push_back(family);
    if (mode_ == Mode::kError) return Status::Error("cannot read /proc/x");
    if (mode_ == Mode::kThrow) throw std::runtime_error("boom");
    return Status::Ok();
  }

 private:
  Mode mode_;
};

std::vector<Scraper::Entry> Entries(
    std::vector<std::pair<std::string, FakeCollector::Mode>> specs) {
  std::vector<Scraper::Entry> entries;
  for (const auto& [name, mode] : specs) {
    entries.push_back({name, std::make_unique<FakeCollector>(mode)});
  }
  return entries;
}

const prometheus::MetricFamily* Find(
    const std::vector<prometheus::MetricFamily>& families,
    const std::string& name) {
  for (const auto& family : families) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

double SuccessOf(const std::vector<prometheus::MetricFamily>& families,
                 const std::string& collector) {
  const auto* success = Find(families, "halfopen_scrape_collector_success");
  for (const auto& metric : success->metric) {
    if (metric.label.at(0).value == collector) return metric.gauge.value;
  }
  return -1;
}

class ScraperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
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
  const auto families = scraper.Collect();
  EXPECT_EQ(SuccessOf(families, "good"), 1);
  EXPECT_EQ(SuccessOf(families, "bad"), 0);
  EXPECT_EQ(SuccessOf(families, "throws"), 0);
  // Only the good collector's output survives; the failed ones' is dropped.
  int fake_families = 0;
  for (const auto& family : families)
    fake_families += family.name == "fake_value";
  EXPECT_EQ(fake_families, 1);
  EXPECT_THAT(log_.str(),
              HasSubstr("collector=bad error=\"cannot read /proc/x\""));
  EXPECT_THAT(log_.str(), HasSubstr("collector=throws error=\"threw: boom\""));
}

TEST_F(ScraperTest, ExportsDurationPerCollectorAndBuildInfo) {
  Scraper scraper(Entries({{"a", FakeCollector::Mode::kOk},
                           {"b", FakeCollector::Mode::kError}}),
                  {"1.2.3", "abc"});
  const auto families = scraper.Collect();
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
  auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  Scraper scraper(Entries({{"bad", FakeCollector::Mode::kError}}), {"v", "r"},
                  [&] { return now; });
  for (int i = 0; i < 5; ++i) {
    scraper.Collect();
    now += std::chrono::seconds(10);
  }
  now += std::chrono::seconds(20);
  scraper.Collect();
  const std::string log = log_.str();
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 2) << log;
  const auto families = scraper.Collect();
  const auto* errors = Find(families, "halfopen_scrape_collector_errors_total");
  ASSERT_NE(errors, nullptr);
  EXPECT_EQ(errors->metric.at(0).counter.value, 7);
  EXPECT_THAT(log, HasSubstr("suppressed_since_last=0"));
  EXPECT_THAT(log, HasSubstr("suppressed_since_last=4"));
}

class BlockingCollector : public Collector {
 public:
  Status Collect(const Scrape&,
                 std::vector<prometheus::MetricFamily>*) override {
    ++calls;
    while (!release) std::this_thread::yield();
    return Status::Ok();
  }
  std::atomic<int> calls{0};
  std::atomic<bool> release{false};
};

TEST_F(ScraperTest, ConcurrentScrapesShareOneCollection) {
  auto blocking = std::make_unique<BlockingCollector>();
  BlockingCollector* collector = blocking.get();
  std::vector<Scraper::Entry> entries;
  entries.push_back({"blocking", std::move(blocking)});
  Scraper scraper(std::move(entries), {"v", "r"});

  std::thread first([&] { scraper.Collect(); });
  while (collector->calls == 0) std::this_thread::yield();
  std::vector<std::thread> waiters;
  for (int i = 0; i < 3; ++i) waiters.emplace_back([&] { scraper.Collect(); });
  while (scraper.waiting_scrapes() < 3) std::this_thread::yield();
  collector->release = true;
  first.join();
  for (auto& waiter : waiters) waiter.join();
  EXPECT_EQ(collector->calls, 1);
}

}  // namespace
}  // namespace halfopen
