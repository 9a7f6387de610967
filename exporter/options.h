#pragma once

#include <string>
#include <vector>

#include "collectors/base/status.h"
#include "collectors/collector.h"
#include "exporter/flags.h"

namespace halfopen {

/// Everything the exporter was told on its command line, validated.
struct Options {
  std::string listen_host;  ///< "" means every address.
  int listen_port = 0;
  std::string listen_address;  ///< As given, for log lines.
  std::string telemetry_path;
  std::string log_level;   ///< debug|info|warn|error
  std::string log_format;  ///< logfmt|json
  bool show_help = false;
  bool show_version = false;
  std::vector<std::string> enabled_collectors;  ///< Sorted by name.
  CollectorContext collector_context;
};

/// The port the exporter listens on by default; see README for the choice.
inline constexpr int kDefaultPort = 9742;

/// Every flag the binary accepts: the core ones, then for each collector in
/// `catalog` its `--[no-]collector.<name>` switch and its own options.
FlagSet BuildFlagSet(const CollectorCatalog& catalog);

/// Parses and validates argv. On error, returns a one-line message naming
/// the flag (the caller prints it and exits 2).
Status ParseOptions(int argc, const char* const* argv,
                    const CollectorCatalog& catalog, Options* options);

/// Splits "host:port", "[v6]:port" or ":port" into its parts.
Status ParseListenAddress(const std::string& address, std::string* host,
                          int* port);

}  // namespace halfopen
