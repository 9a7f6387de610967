#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "collectors/base/status.h"
#include "collectors/collector.h"
#include "collectors/model/listener_table.h"
#include "collectors/model/socket_stats.h"
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
};

/// Walks the socket table at most once per scrape, feeding every consumer
/// (state and timer counts, listeners) from the one stream of sockets, and
/// hands the result to each collector of that scrape. Thread-safe.
class SocketWalker {
 public:
  using SourceFactory = std::function<std::unique_ptr<DiagSource>()>;

  explicit SocketWalker(SourceFactory make_source)
      : make_source_(std::move(make_source)) {}

  /// The walk for `scrape`, running it if this is the first request for it.
  std::shared_ptr<const SocketWalk> ForScrape(const Scrape& scrape);

  /// Malformed messages skipped since start (for a counter).
  std::uint64_t parse_errors_total() const;

  /// How many walks have run since start.
  std::uint64_t walks() const;

  /// The walker shared by every socket collector of `context`: it reads the
  /// recording named by --collector.sockets.replay when given, else the
  /// kernel with the request mode of --collector.sockets.request.
  static std::shared_ptr<SocketWalker> Shared(const CollectorContext& context);

 private:
  std::shared_ptr<const SocketWalk> Walk();

  const SourceFactory make_source_;
  mutable std::mutex mu_;
  std::uint64_t last_scrape_ = 0;
  std::shared_ptr<const SocketWalk> last_;
  std::uint64_t parse_errors_total_ = 0;
  std::uint64_t walks_ = 0;
};

}  // namespace halfopen
