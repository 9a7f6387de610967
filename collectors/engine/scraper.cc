#include "engine/scraper.h"

#include <cstdio>
#include <exception>
#include <utility>

#include "engine/family.h"
#include "engine/log.h"

namespace halfopen {
namespace {

double SecondsBetween(Scraper::TimePoint from, Scraper::TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

std::string SecondsText(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g s", seconds);
  return text;
}

}  // namespace

Scraper::Scraper(std::vector<Entry> collectors, BuildInfo build_info,
                 Clock clock)
    : build_info_(std::move(build_info)),
      clock_(std::move(clock)),
      failures_(collectors.size(), 0) {
  for (auto& entry : collectors) {
    auto runner = std::make_unique<Runner>();
    runner->name = std::move(entry.name);
    runner->collector = std::move(entry.collector);
    runners_.push_back(std::move(runner));
  }
  for (std::size_t i = 0; i < runners_.size(); ++i) {
    Runner* runner = runners_[i].get();
    runner->thread = std::thread([this, runner, i] { RunLoop(runner, i); });
  }
}

Scraper::~Scraper() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (auto& runner : runners_) runner->wake.notify_one();
  }
  for (auto& runner : runners_) runner->thread.join();
}

std::vector<std::string> Scraper::CollectorNames() const {
  std::vector<std::string> names;
  for (const auto& runner : runners_) names.push_back(runner->name);
  return names;
}

std::vector<prometheus::MetricFamily> Scraper::Collect(TimePoint deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  if (current_ == nullptr || current_->done) {
    current_ = Start(deadline);
  } else if (deadline < current_->deadline) {
    current_->deadline = deadline;  // Shared: it ends at the earliest.
    collection_done_.notify_all();
  }
  const std::shared_ptr<Collection> collection = current_;
  while (!collection->done) {
    if (collection->running == 0 ||
        std::chrono::steady_clock::now() >= collection->deadline) {
      Finish(collection.get());
      break;
    }
    collection_done_.wait_until(lock, collection->deadline);
  }
  return *collection->result;
}

std::shared_ptr<Scraper::Collection> Scraper::Start(TimePoint deadline) {
  auto collection = std::make_shared<Collection>();
  collection->id = ++generation_;
  collection->start = std::chrono::steady_clock::now();
  collection->deadline = deadline;
  collection->outcomes.resize(runners_.size());
  for (std::size_t i = 0; i < runners_.size(); ++i) {
    Runner& runner = *runners_[i];
    if (runner.job != nullptr) {
      // Still busy with an earlier collection: report it, do not wait.
      Outcome& outcome = collection->outcomes[i];
      outcome.finished = true;
      outcome.seconds = SecondsBetween(runner.started, collection->start);
      outcome.status =
          Status::Error("still running since an earlier scrape, for " +
                        SecondsText(outcome.seconds));
      continue;
    }
    runner.job = collection;
    runner.started = collection->start;
    ++collection->running;
    runner.wake.notify_one();
  }
  return collection;
}

void Scraper::Finish(Collection* collection) {
  const auto now = std::chrono::steady_clock::now();
  std::vector<prometheus::MetricFamily> out;
  std::vector<prometheus::MetricFamily> self_metrics = {
      NewFamily("halfopen_scrape_collector_success",
                "1 if the collector's last run succeeded, 0 if it failed, "
                "threw or missed the scrape's deadline (see the exporter's "
                "log).",
                prometheus::MetricType::Gauge),
      NewFamily("halfopen_scrape_collector_duration_seconds",
                "How long the collector's last run took (so far, when it "
                "missed the deadline).",
                prometheus::MetricType::Gauge),
      NewFamily("halfopen_scrape_collector_errors_total",
                "Runs of the collector that failed since the exporter "
                "started.",
                prometheus::MetricType::Counter)};
  for (std::size_t i = 0; i < collection->outcomes.size(); ++i) {
    Outcome& outcome = collection->outcomes[i];
    if (!outcome.finished) {
      outcome.seconds = SecondsBetween(collection->start, now);
      outcome.status =
          Status::Error("still running at the scrape's deadline, after " +
                        SecondsText(outcome.seconds));
    }
    Report(i, &outcome, &self_metrics);  // Drops a failed one's families.
    for (auto& family : outcome.families) out.push_back(std::move(family));
  }
  auto build = NewFamily("halfopen_build_info",
                         "Constant 1, labelled with the exporter's version and "
                         "the git revision it was built from.",
                         prometheus::MetricType::Gauge);
  AddSample(
      &build,
      {{"version", build_info_.version}, {"revision", build_info_.revision}},
      1);
  for (auto& family : self_metrics) out.push_back(std::move(family));
  out.push_back(std::move(build));
  collection->result =
      std::make_shared<const std::vector<prometheus::MetricFamily>>(
          std::move(out));
  collection->done = true;
  collection_done_.notify_all();
}

void Scraper::Report(std::size_t index, Outcome* outcome,
                     std::vector<prometheus::MetricFamily>* self_metrics) {
  const std::string& name = runners_[index]->name;
  const bool ok = outcome->status.ok();
  if (!ok) {
    outcome->families.clear();
    ++failures_[index];
    int suppressed = 0;
    if (failure_limiter_.ShouldLog(name, clock_(), &suppressed)) {
      Log(spdlog::level::err, "collector failed",
          {{"collector", name},
           {"error", outcome->status.message()},
           {"suppressed_since_last", suppressed}});
    }
  }
  AddSample(&(*self_metrics)[0], {{"collector", name}}, ok ? 1 : 0);
  AddSample(&(*self_metrics)[1], {{"collector", name}}, outcome->seconds);
  AddSample(&(*self_metrics)[2], {{"collector", name}}, failures_[index]);
}

void Scraper::RunLoop(Runner* runner, std::size_t index) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    runner->wake.wait(lock,
                      [&] { return stopping_ || runner->job != nullptr; });
    if (stopping_) return;
    const std::shared_ptr<Collection> job = runner->job;
    const Scrape scrape{job->id, job->deadline};
    lock.unlock();
    Outcome outcome = Run(runner->collector.get(), scrape);
    lock.lock();
    runner->job.reset();
    if (job->done) {
      Log(spdlog::level::debug, "collector returned after its deadline",
          {{"collector", runner->name},
           {"seconds", outcome.seconds},
           {"error", outcome.status.message()}});
      continue;
    }
    job->outcomes[index] = std::move(outcome);
    --job->running;
    collection_done_.notify_all();
  }
}

Scraper::Outcome Scraper::Run(Collector* collector, const Scrape& scrape) {
  Outcome outcome;
  const auto start = std::chrono::steady_clock::now();
  try {
    outcome.status = collector->Collect(scrape, &outcome.families);
  } catch (const std::exception& e) {
    outcome.status = Status::Error(std::string("threw: ") + e.what());
  } catch (...) {
    outcome.status = Status::Error("threw a non-standard exception");
  }
  outcome.seconds = SecondsBetween(start, std::chrono::steady_clock::now());
  outcome.finished = true;
  return outcome;
}

}  // namespace halfopen
