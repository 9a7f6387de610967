#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/collector.h"
#include "engine/failure_limiter.h"
#include "prometheus/collectable.h"

namespace halfopen {

/// Version and revision for `halfopen_build_info`.
struct BuildInfo {
  std::string version;
  std::string revision;
};

/// The one Collectable the HTTP endpoint serves. Each scrape runs every
/// enabled collector in turn, times it, and adds the self-metrics
/// `halfopen_scrape_collector_{success,duration_seconds,errors_total}` and
/// `halfopen_build_info`. A collector that fails or throws reports success 0
/// and its partial output is dropped; the scrape still succeeds.
///
/// Thread-safe. Scrapes that arrive while a collection is running wait for it
/// and share its result, so N concurrent scrapers cost one collection.
class Scraper : public prometheus::Collectable {
 public:
  struct Entry {
    std::string name;
    std::unique_ptr<Collector> collector;
  };
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  Scraper(std::vector<Entry> collectors, BuildInfo build_info,
          Clock clock = std::chrono::steady_clock::now);

  std::vector<prometheus::MetricFamily> Collect() const override;

  /// Names of the collectors, in the order they run.
  std::vector<std::string> CollectorNames() const;

  /// How many scrapes are waiting right now for a running collection.
  int waiting_scrapes() const;

 private:
  std::vector<prometheus::MetricFamily> CollectAll(const Scrape& scrape) const;
  bool RunOne(const Entry& entry, const Scrape& scrape,
              std::vector<prometheus::MetricFamily>* out) const;

  const std::vector<Entry> collectors_;
  const BuildInfo build_info_;
  const Clock clock_;
  mutable FailureLimiter failure_limiter_{std::chrono::seconds(60)};
  // Failures per collector (same order); only touched by the one running
  // collection, so it needs no lock.
  mutable std::vector<double> failures_;

  mutable std::mutex mu_;
  mutable std::condition_variable done_;
  mutable bool running_ = false;
  mutable int waiting_ = 0;
  mutable std::uint64_t generation_ = 0;
  mutable std::shared_ptr<const std::vector<prometheus::MetricFamily>> last_;
};

}  // namespace halfopen
