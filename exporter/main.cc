#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "collectors/sources.h"
#include "engine/collector.h"
#include "engine/log.h"
#include "engine/scraper.h"
#include "exporter/build_info.h"
#include "exporter/http_server.h"
#include "exporter/landing_page.h"
#include "exporter/logging.h"
#include "exporter/markdown.h"
#include "exporter/options.h"
#include "exporter/status_model.h"
#include "exporter/web_config.h"
#include "spdlog/spdlog.h"

namespace halfopen {
namespace {

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
void TeardownWithin(const std::function<void()>& teardown) {
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
    std::_Exit(0);
  }
  worker.join();
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
