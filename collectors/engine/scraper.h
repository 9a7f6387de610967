#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/collector.h"
#include "engine/failure_limiter.h"
#include "prometheus/metric_family.h"

namespace halfopen {

/// Version and revision for `halfopen_build_info`.
struct BuildInfo {
  std::string version;
  std::string revision;
};

/// Runs the enabled collectors for the HTTP endpoint. Each collector runs on
/// a thread of its own, so a scrape can end at its deadline whatever a
/// collector does: one that fails, throws or is still running at the
/// deadline reports `halfopen_scrape_collector_success` 0, counts an error
/// and is logged; its partial output is dropped and the others' is served.
/// A collector still running when the next scrape starts is reported failed
/// at once, without waiting, until it returns.
///
/// Scrapes that arrive while a collection is running share it: they get its
/// result, and the collection ends at the earliest of their deadlines, so N
/// concurrent scrapers cost one collection. Thread-safe.
class Scraper {
 public:
  struct Entry {
    std::string name;
    std::unique_ptr<Collector> collector;
  };
  using TimePoint = std::chrono::steady_clock::time_point;
  /// Time for the failure limiter (injectable in tests).
  using Clock = std::function<TimePoint()>;

  Scraper(std::vector<Entry> collectors, BuildInfo build_info,
          Clock clock = std::chrono::steady_clock::now);
  /// Stops the collectors' threads; waits for any collector still running.
  ~Scraper();
  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;

  /// Every collector's families, then the self-metrics
  /// `halfopen_scrape_collector_{success,duration_seconds,errors_total}` and
  /// `halfopen_build_info`. Returns by `deadline` (steady clock; finite),
  /// plus the time to assemble the result.
  std::vector<prometheus::MetricFamily> Collect(TimePoint deadline);

  /// Names of the collectors, in the order they are reported.
  std::vector<std::string> CollectorNames() const;

 private:
  // What one collector produced for one collection.
  struct Outcome {
    bool finished = false;
    Status status;
    double seconds = 0;
    std::vector<prometheus::MetricFamily> families;
  };
  struct Collection {
    std::uint64_t id = 0;
    TimePoint start;
    TimePoint deadline;
    std::vector<Outcome> outcomes;  // By collector.
    std::size_t running = 0;
    bool done = false;
    std::shared_ptr<const std::vector<prometheus::MetricFamily>> result;
  };
  // A collector and the thread that runs it.
  struct Runner {
    std::string name;
    std::unique_ptr<Collector> collector;
    std::condition_variable wake;
    std::shared_ptr<Collection> job;  // Set while the collector runs.
    TimePoint started;
    std::thread thread;
  };

  std::shared_ptr<Collection> Start(TimePoint deadline);
  void Finish(Collection* collection);
  void Report(std::size_t index, Outcome* outcome,
              std::vector<prometheus::MetricFamily>* self_metrics);
  void RunLoop(Runner* runner, std::size_t index);
  static Outcome Run(Collector* collector, const Scrape& scrape);

  const BuildInfo build_info_;
  const Clock clock_;
  FailureLimiter failure_limiter_{std::chrono::seconds(60)};

  // Guards everything below and every Runner's job, started and wake.
  std::mutex mu_;
  std::condition_variable collection_done_;
  std::vector<std::unique_ptr<Runner>> runners_;
  std::vector<double> failures_;  // Failed runs per collector.
  std::uint64_t generation_ = 0;
  std::shared_ptr<Collection> current_;
  bool stopping_ = false;
};

}  // namespace halfopen
