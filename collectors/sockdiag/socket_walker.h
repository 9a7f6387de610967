#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "collectors/base/status.h"
#include "collectors/collector.h"
#include "collectors/model/listener_table.h"
#include "collectors/model/socket_stats.h"
#include "collectors/model/suspicion_tracker.h"
#include "collectors/sockdiag/inet_diag_parser.h"
#include "collectors/sources/diag_source.h"

namespace halfopen {

/// Everything one walk of the socket table produced.
struct SocketWalk {
  Status status;  ///< Not ok when the dump failed; the rest is then partial.
  SocketStats stats;
  ListenerTable listeners;
  ParseCounts counts;
  double duration_seconds = 0;
  /// Not ok when the kernel settings or interface addresses could not be
  /// read; the suspicion summary then used the kernel defaults.
  Status suspicion_status;
  SuspicionSummary suspicion;
};

/// Walks the socket table at most once per scrape, feeding every consumer
/// (state and timer counts, listeners, the suspicion model) from the one
/// stream of sockets, and hands the result to each collector of that scrape.
/// Thread-safe.
class SocketWalker {
 public:
  using SourceFactory = std::function<std::unique_ptr<DiagSource>()>;

  /// `procfs` is where the namespace's TCP sysctls are read for scoring.
  SocketWalker(SourceFactory make_source, std::string procfs,
               SuspicionConfig suspicion)
      : make_source_(std::move(make_source)),
        procfs_(std::move(procfs)),
        suspicion_config_(suspicion),
        pairs_(suspicion.keep_addresses) {}

  /// The walk for `scrape`, running it if this is the first request for it.
  std::shared_ptr<const SocketWalk> ForScrape(const Scrape& scrape);

  /// Malformed messages skipped since start (for a counter).
  std::uint64_t parse_errors_total() const;

  /// The walker shared by every socket collector of `context`: it reads the
  /// recording named by --collector.sockets.replay when given, else the
  /// kernel with the request mode of --collector.sockets.request, and
  /// scores with the --suspects.* tunables (validated by the halfopen
  /// collector's factory).
  static std::shared_ptr<SocketWalker> Shared(const CollectorContext& context);

  /// The --suspects.* flags as a config; false with *error naming the flag
  /// when one is malformed.
  static bool ParseSuspicionConfig(const CollectorContext& context,
                                   SuspicionConfig* config, std::string* error);

 private:
  std::shared_ptr<const SocketWalk> Walk();

  const SourceFactory make_source_;
  const std::string procfs_;
  const SuspicionConfig suspicion_config_;
  LocalPairTable pairs_;  // Reused by every walk (guarded by mu_).
  mutable std::mutex mu_;
  std::uint64_t last_scrape_ = 0;
  std::shared_ptr<const SocketWalk> last_;
  std::uint64_t parse_errors_total_ = 0;
};

}  // namespace halfopen
