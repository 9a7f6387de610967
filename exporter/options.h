#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "engine/collector.h"
#include "model/evidence.h"
#include "sources/sources.h"

namespace halfopen {

/// Everything the exporter was told on its command line, parsed and checked.
struct Options {
  std::string listen_host;  ///< "" means every address.
  int listen_port = 0;
  std::string telemetry_path = "/metrics";
  std::string log_level = "info";     ///< debug|info|warn|error
  std::string log_format = "logfmt";  ///< logfmt|json
  /// exporter-toolkit web configuration (TLS, basic auth); "" for none.
  std::string web_config_file;
  /// Seconds a scrape may take when the scraper does not say.
  double scrape_timeout_seconds = 10;
  bool show_help = false;
  bool show_version = false;
  /// --once: print the status tables of a collection, then exit.
  bool once = false;
  std::string once_format = "text";  ///< text|json
  /// Seconds between the collection that starts the suspects' memory and
  /// the listener sampler and the one --once prints; 0: print the first.
  double once_observe_seconds = kFullPersistenceSeconds;
  std::vector<std::string> enabled_collectors;  ///< Sorted by name.
  SourceOptions sources;
};

/// The port the exporter listens on by default; see README for the choice.
inline constexpr int kDefaultPort = 9742;

/// Parses and checks argv against every flag the binary accepts: the core
/// ones, then for each collector in `catalog` its `--[no-]collector.<name>`
/// switch and its own flags. Every value is checked, whatever is enabled.
/// On error, returns a one-line message naming the flag (the caller prints
/// it and exits 2). *help is set to the `--help` text either way.
Status ParseOptions(int argc, const char* const* argv,
                    const CollectorCatalog& catalog, Options* options,
                    std::string* help = nullptr);

/// Splits "host:port", "[v6]:port" or ":port" into its parts.
Status ParseListenAddress(const std::string& address, std::string* host,
                          int* port);

}  // namespace halfopen
