#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/collector.h"
#include "engine/log.h"
#include "engine/scraper.h"
#include "exporter/build_info.h"
#include "exporter/ehash_notice.h"
#include "exporter/logging.h"
#include "exporter/options.h"
#include "exporter/process_metrics.h"
#include "sources/sources.h"
#include "spdlog/spdlog.h"
#include "status/landing_page.h"
#include "status/markdown.h"
#include "status/status_json.h"
#include "status/status_model.h"
#include "status/status_text.h"
#include "web/http_server.h"
#include "web/web_config.h"

namespace halfopen {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
// Everything must be stopped this long after SIGTERM.
constexpr auto kStopBudget = std::chrono::milliseconds(300);

int Fail(const std::string& message) {
  std::fprintf(stderr, "halfopen_exporter: %s\n", message.c_str());
  return kExitUsage;
}

std::vector<Scraper::Entry> BuildCollectors(
    const Options& options, const CollectorCatalog& catalog,
    const std::shared_ptr<Sources>& sources) {
  std::vector<Scraper::Entry> entries;
  for (const auto& spec : catalog.specs()) {
    for (const auto& name : options.enabled_collectors) {
      if (name == spec.name) entries.push_back({name, spec.make(sources)});
    }
  }
  return entries;
}

int WaitForTerminationSignal(const sigset_t& signals) {
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  return signal_number;
}

std::string Join(const std::vector<std::string>& names) {
  std::string joined;
  for (const auto& name : names) joined += (joined.empty() ? "" : ",") + name;
  return joined;
}

// Runs `teardown` but exits the process anyway once the stop budget is
// spent: a collector stuck in a read, or a request waiting for one, must
// not delay the stop.
void TeardownWithin(const std::function<void()>& teardown, int exit_code = 0) {
  std::promise<void> finished;
  std::future<void> done = finished.get_future();
  std::thread worker([&] {
    teardown();
    finished.set_value();
  });
  if (done.wait_for(kStopBudget) != std::future_status::ready) {
    Log(spdlog::level::warn, "stopped before every request and collector ended",
        {{"budget_ms", static_cast<int>(kStopBudget.count())}});
    spdlog::default_logger()->flush();
    std::_Exit(exit_code);
  }
  worker.join();
}

double UnixNow() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Prints one collection as --once.format says; see RunOnce.
int PrintOnce(Scraper& scraper, const Options& options) {
  const auto seconds = [](double s) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(s));
  };
  const auto timeout = seconds(options.scrape_timeout_seconds);
  // The first look is the baseline: counters rise, and suspects age, from
  // there.
  std::optional<CounterBaseline> baseline;
  if (options.once_observe_seconds > 0) {
    const auto next = std::chrono::steady_clock::now() +
                      seconds(options.once_observe_seconds);
    baseline.emplace();
    baseline->Observe(
        scraper.Collect(std::chrono::steady_clock::now() + timeout), UnixNow());
    std::this_thread::sleep_until(next);
  }
  const StatusModel model = BuildStatusModel(
      scraper.Collect(std::chrono::steady_clock::now() + timeout), UnixNow(),
      baseline.has_value() ? &*baseline : nullptr);
  const bool any_ok =
      std::any_of(model.collectors.begin(), model.collectors.end(),
                  [](const StatusCollector& c) { return c.ok; });
  if (!any_ok) {
    std::fprintf(stderr,
                 "halfopen_exporter: --once: no collector succeeded (the log "
                 "above says why)\n");
    return kExitFailure;
  }
  const std::string text = options.once_format == "json"
                               ? RenderStatusJson(model)
                               : RenderStatusText(model);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
  return 0;
}

// --once: a collection printed for a person or a script. An earlier one,
// --once.observe seconds before, lets suspects' evidence persist and the
// listener sampler sample, as a running exporter's would have. Collectors
// that failed are logged as in a scrape; only when none succeeded in the
// printed collection is it an error. Signals are not blocked, so Ctrl-C
// ends it at once.
int RunOnce(const Options& options, const CollectorCatalog& catalog) {
  auto sources = std::make_shared<Sources>(options.sources);
  auto scraper =
      std::make_shared<Scraper>(BuildCollectors(options, catalog, sources),
                                BuildInfo{kVersion, kRevision});
  const int code = PrintOnce(*scraper, options);
  TeardownWithin(
      [&] {
        scraper.reset();
        sources.reset();
      },
      code);
  return code;
}

int Run(int argc, char** argv) {
  // One walk's memory is freed by whichever collector thread ran it; with
  // an arena per thread, each would keep its own copy of that peak.
  mallopt(M_ARENA_MAX, 2);
  const CollectorCatalog& catalog = CollectorCatalog::Global();
  Options options;
  std::string help;
  Status status = ParseOptions(argc, argv, catalog, &options, &help);
  if (!status.ok()) return Fail(status.message());
  if (options.show_help) {
    std::fputs(help.c_str(), stdout);
    return 0;
  }
  if (options.show_version) {
    std::printf("halfopen_exporter version %s (revision %s)\n", kVersion,
                kRevision);
    return 0;
  }
  WebConfig web;
  if (!options.web_config_file.empty()) {
    status = LoadWebConfig(options.web_config_file, &web);
    if (!status.ok()) return Fail(status.message());
  }
  ConfigureLogging(options.log_level, options.log_format);
  if (options.once) return RunOnce(options, catalog);

  // Block the termination signals before any thread starts (the
  // collectors' first), so they inherit the mask and only sigwait() below
  // receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto sources = std::make_shared<Sources>(options.sources);
  auto scraper =
      std::make_shared<Scraper>(BuildCollectors(options, catalog, sources),
                                BuildInfo{kVersion, kRevision});

  Site site;
  site.telemetry_path = options.telemetry_path;
  site.status_page.telemetry_path = options.telemetry_path;
  site.baseline = std::make_shared<CounterBaseline>();
  site.landing_page = RenderLandingPage(kVersion, options.telemetry_path,
                                        scraper->CollectorNames());
  site.runbook_page =
      RenderDocumentPage("halfopen_exporter runbook", kRunbookMarkdown);
  site.scraper = scraper;
  site.self_metrics = CollectProcessMetrics;
  site.default_scrape_timeout_seconds = options.scrape_timeout_seconds;
  if (!web.users.empty()) site.auth = std::make_shared<BasicAuth>(web.users);
  std::unique_ptr<HttpServer> server;
  status =
      HttpServer::Start({options.listen_host, options.listen_port, web.tls},
                        std::move(site), &server);
  if (!status.ok()) return Fail(status.message());
  Log(spdlog::level::info, "listening",
      {{"address", options.listen_host.empty() ? "*" : options.listen_host},
       {"port", server->port()},
       {"telemetry_path", options.telemetry_path},
       {"tls", web.tls.has_value()},
       {"basic_auth", !web.users.empty()},
       {"version", kVersion},
       {"revision", kRevision},
       {"collectors", Join(scraper->CollectorNames())}});
  LogEhashSharing(*sources);

  const int signal_number = WaitForTerminationSignal(signals);
  Log(spdlog::level::info, "shutting down",
      {{"signal", std::string("SIG") + sigabbrev_np(signal_number)}});
  TeardownWithin([&] {
    server.reset();
    scraper.reset();
    sources.reset();
  });
  Log(spdlog::level::info, "stopped");
  return 0;
}

}  // namespace
}  // namespace halfopen

int main(int argc, char** argv) { return halfopen::Run(argc, argv); }
