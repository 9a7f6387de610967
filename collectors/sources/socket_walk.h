#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/status.h"
#include "decode/inet_diag_parser.h"
#include "kernel/diag_source.h"
#include "model/listener_table.h"
#include "model/local_pairs.h"
#include "model/socket_stats.h"
#include "model/suspicion_tracker.h"
#include "sources/drop_ledger.h"
#include "sources/netns_io.h"
#include "sources/sysctls.h"

namespace halfopen {

/// Everything one walk of the socket table produced.
struct SocketWalk {
  /// Not ok when the dump failed or a datagram of it was cut short; the rest
  /// is then partial.
  Status status;
  /// Only the listeners were dumped: the namespace's sockstat showed no
  /// other sockets, so the full walk (which costs a walk of the host's
  /// whole connection table) was skipped. Request sockets (SYN_RECV) are
  /// not in sockstat and are then not counted.
  bool listeners_only = false;
  /// The full walk was put off to a later scrape (the scrape's time was
  /// short; see Sources::Walks): the listeners are fresh, but the stats and
  /// suspicion are those of the last full walk, this many seconds old.
  double connections_age_seconds = 0;
  /// Put off, and no full walk yet: stats and suspicion hold listeners only
  /// and must not be reported as the namespace's connections.
  bool connections_unknown = false;
  SocketStats stats;
  ListenerTable listeners;
  /// Names of the interfaces listeners are bound to (SO_BINDTODEVICE), by
  /// index, as they were at the end of the walk.
  std::map<std::uint32_t, std::string> device_names;
  ParseCounts counts;
  double duration_seconds = 0;
  /// Not ok when the kernel settings or interface addresses could not be
  /// read; the suspicion summary then used the kernel defaults.
  Status suspicion_status;
  SuspicionSummary suspicion;
};

/// A DiagSource handler that decodes every datagram into `visitor`, adding
/// to *counts, and stops at the end of the dump. On a netlink error it stops
/// the source and leaves the kernel's answer in *error, e.g. "the kernel
/// answered ENOENT (No such file or directory)". The pointers must outlive
/// the dump.
DatagramHandler ParsingHandler(SocketVisitor* visitor, ParseCounts* counts,
                               std::string* error);

/// Walks one namespace's socket table at most once per scrape, feeding every
/// consumer (state and timer counts, listeners, the suspicion model) from
/// the one stream of sockets, and hands the result to each collector of that
/// scrape. The walk runs inside the namespace, over one netlink socket kept
/// from walk to walk, in two dumps: the listeners first (with their drop
/// counts, which go to the namespace's DropLedger), then every other socket
/// (with its tcp_info). For a namespace other than the exporter's own the
/// second dump runs only when the namespace's sockstat shows sockets beyond
/// the listeners. Thread-safe.
class SocketWalker {
 public:
  using SourceFactory = std::function<std::unique_ptr<DiagSource>()>;

  /// `io` reaches the namespace and `sysctls` gives its TCP settings for
  /// scoring; both must outlive the walker. `make_source` is called once,
  /// inside the namespace.
  /// With `cross`, connections to the host's other namespaces go to its
  /// HostPairs instead of being decided here.
  /// Every complete listener dump is applied to `drops`, which must outlive
  /// the walker too.
  SocketWalker(SourceFactory make_source, NetnsIo* io, SysctlCache* sysctls,
               DropLedger* drops, SuspicionConfig suspicion,
               CrossNamespace cross = {})
      : make_source_(std::move(make_source)),
        io_(*io),
        sysctls_(*sysctls),
        drops_(*drops),
        suspicion_config_(suspicion),
        cross_(cross),
        pairs_(suspicion.keep_addresses) {}

  /// The walk for scrape `scrape_id`, running it if this is the first
  /// request for that scrape. Without `full_walk_allowed`, a namespace
  /// other than the exporter's own that needs a full walk gets only its
  /// listeners dumped, and the connections of its last full walk.
  std::shared_ptr<const SocketWalk> ForScrape(std::uint64_t scrape_id,
                                              bool full_walk_allowed = true);

  /// When the last full walk ran (steady clock, seconds); -inf before the
  /// first. Namespaces whose full walk is oldest go first.
  double last_full_walk() const;

  /// How long the last full walk took, in seconds (its listeners' and its
  /// connections' dumps, or the listeners' alone when sockstat showed
  /// nothing more); empty before the first.
  std::optional<double> last_full_walk_duration_seconds() const;

  /// Malformed messages skipped since start (for a counter).
  std::uint64_t parse_errors_total() const;

 private:
  std::shared_ptr<const SocketWalk> Walk(std::uint64_t scrape_id,
                                         bool full_walk_allowed);
  // Gives a listeners-only walk the connections of the last full walk.
  void Graft(SocketWalk* walk, double now_seconds) const;
  // The listeners' dump, run inside the namespace: a new walk.
  std::shared_ptr<SocketWalk> DumpListeners(double now_seconds);
  // The connections' dump, run inside the namespace, added to `walk`.
  void DumpConnections(SocketWalk* walk, const KernelSettings& settings,
                       const Status& settings_status, double now_seconds);
  // One dump of `scope` into `visitor`; the walk's status says how it went.
  void DumpInto(DumpScope scope, SocketVisitor* visitor, SocketWalk* walk);
  // True when the namespace's sockstat shows no sockets but `listeners`.
  bool OnlyListeners(const SocketWalk& walk) const;

  const SourceFactory make_source_;
  NetnsIo& io_;
  SysctlCache& sysctls_;
  DropLedger& drops_;
  std::unique_ptr<DiagSource> source_;  // Opened inside the namespace.
  const SuspicionConfig suspicion_config_;
  const CrossNamespace cross_;
  LocalPairTable pairs_;    // Reused by every walk (guarded by mu_).
  SuspicionMemory memory_;  // Kept from walk to walk (guarded by mu_).
  mutable std::mutex mu_;
  std::uint64_t last_scrape_ = 0;
  std::shared_ptr<const SocketWalk> last_;
  std::shared_ptr<const SocketWalk> last_full_;  // With connections.
  double last_full_seconds_ = -std::numeric_limits<double>::infinity();
  std::optional<double> last_full_duration_seconds_;
  std::uint64_t parse_errors_total_ = 0;
};

}  // namespace halfopen
