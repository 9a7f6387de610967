#include "engine/scraper.h"

#include <exception>
#include <utility>

#include "engine/family.h"
#include "spdlog/spdlog.h"

namespace halfopen {

Scraper::Scraper(std::vector<Entry> collectors, BuildInfo build_info,
                 Clock clock)
    : collectors_(std::move(collectors)),
      build_info_(std::move(build_info)),
      clock_(std::move(clock)),
      failures_(collectors_.size(), 0) {}

std::vector<std::string> Scraper::CollectorNames() const {
  std::vector<std::string> names;
  for (const auto& entry : collectors_) names.push_back(entry.name);
  return names;
}

int Scraper::waiting_scrapes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_;
}

std::vector<prometheus::MetricFamily> Scraper::Collect() const {
  std::unique_lock<std::mutex> lock(mu_);
  if (running_) {
    const std::uint64_t waiting_for = generation_ + 1;
    ++waiting_;
    done_.wait(lock, [&] { return generation_ >= waiting_for; });
    --waiting_;
    return *last_;
  }
  running_ = true;
  const Scrape scrape{generation_ + 1};
  lock.unlock();
  auto result = std::make_shared<const std::vector<prometheus::MetricFamily>>(
      CollectAll(scrape));
  lock.lock();
  last_ = result;
  ++generation_;
  running_ = false;
  done_.notify_all();
  return *result;
}

std::vector<prometheus::MetricFamily> Scraper::CollectAll(
    const Scrape& scrape) const {
  std::vector<prometheus::MetricFamily> out;
  auto success = NewFamily("halfopen_scrape_collector_success",
                           "1 if the collector's last run succeeded, 0 if it "
                           "failed (see the exporter's log).",
                           prometheus::MetricType::Gauge);
  auto duration = NewFamily("halfopen_scrape_collector_duration_seconds",
                            "How long the collector's last run took.",
                            prometheus::MetricType::Gauge);
  auto errors = NewFamily("halfopen_scrape_collector_errors_total",
                          "Runs of the collector that failed since the "
                          "exporter started.",
                          prometheus::MetricType::Counter);
  for (std::size_t i = 0; i < collectors_.size(); ++i) {
    const Entry& entry = collectors_[i];
    const auto start = std::chrono::steady_clock::now();
    const bool ok = RunOne(entry, scrape, &out);
    const std::chrono::duration<double> took =
        std::chrono::steady_clock::now() - start;
    if (!ok) ++failures_[i];
    AddSample(&success, {{"collector", entry.name}}, ok ? 1 : 0);
    AddSample(&duration, {{"collector", entry.name}}, took.count());
    AddSample(&errors, {{"collector", entry.name}}, failures_[i]);
  }
  auto build = NewFamily("halfopen_build_info",
                         "Constant 1, labelled with the exporter's version and "
                         "the git revision it was built from.",
                         prometheus::MetricType::Gauge);
  AddSample(
      &build,
      {{"version", build_info_.version}, {"revision", build_info_.revision}},
      1);
  out.push_back(std::move(success));
  out.push_back(std::move(duration));
  out.push_back(std::move(errors));
  out.push_back(std::move(build));
  return out;
}

bool Scraper::RunOne(const Entry& entry, const Scrape& scrape,
                     std::vector<prometheus::MetricFamily>* out) const {
  std::vector<prometheus::MetricFamily> families;
  Status status;
  try {
    status = entry.collector->Collect(scrape, &families);
  } catch (const std::exception& e) {
    status = Status::Error(std::string("threw: ") + e.what());
  } catch (...) {
    status = Status::Error("threw a non-standard exception");
  }
  if (status.ok()) {
    for (auto& family : families) out->push_back(std::move(family));
    return true;
  }
  int suppressed = 0;
  if (failure_limiter_.ShouldLog(entry.name, clock_(), &suppressed)) {
    spdlog::error(
        "collector failed: collector={} error=\"{}\" suppressed_since_last={}",
        entry.name, status.message(), suppressed);
  }
  return false;
}

}  // namespace halfopen
