#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "collectors/sources.h"
#include "engine/collector.h"
#include "engine/scraper.h"
#include "exporter/build_info.h"
#include "exporter/http_server.h"
#include "exporter/landing_page.h"
#include "exporter/logging.h"
#include "exporter/options.h"
#include "spdlog/spdlog.h"

namespace halfopen {
namespace {

constexpr int kExitUsage = 2;

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

int Run(int argc, char** argv) {
  // One walk's memory is freed by whichever HTTP thread ran it; with an
  // arena per thread, each would keep its own copy of that peak.
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
  ConfigureLogging(options.log_level, options.log_format);

  auto sources = std::make_shared<Sources>(options.sources);
  auto scraper =
      std::make_shared<Scraper>(BuildCollectors(options, catalog, sources),
                                BuildInfo{kVersion, kRevision});

  // Block the termination signals before civetweb starts its threads, so
  // they inherit the mask and only sigwait() below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<HttpServer> server;
  status = HttpServer::Start(options.listen_host, options.listen_port,
                             options.telemetry_path, scraper,
                             RenderLandingPage(kVersion, options.telemetry_path,
                                               scraper->CollectorNames()),
                             &server);
  if (!status.ok()) return Fail(status.message());
  std::string collectors;
  for (const auto& name : scraper->CollectorNames()) {
    collectors += (collectors.empty() ? "" : ",") + name;
  }
  spdlog::info(
      "listening: address={} port={} telemetry_path={} version={} "
      "revision={} collectors={}",
      options.listen_host.empty() ? "*" : options.listen_host, server->port(),
      options.telemetry_path, kVersion, kRevision, collectors);

  const int signal_number = WaitForTerminationSignal(signals);
  spdlog::info("shutting down: signal={}", strsignal(signal_number));
  server.reset();
  spdlog::info("stopped");
  return 0;
}

}  // namespace
}  // namespace halfopen

int main(int argc, char** argv) { return halfopen::Run(argc, argv); }
