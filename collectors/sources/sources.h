#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/suspicion_tracker.h"
#include "sources/netns_io.h"
#include "sources/socket_walk.h"
#include "sources/sysctls.h"
#include "sources/unix_listeners.h"

namespace halfopen {

/// What configures the sources, filled by the flags (`--path.procfs` and
/// `--netns.*` in the exporter, the socket-walk and `--suspects.*` flags by
/// the collectors that use them).
struct SourceOptions {
  std::string procfs = "/proc";
  /// "own": the exporter's network namespace; "all": every one on the host.
  std::string netns_scope = "own";
  /// Where named namespaces are bound (ip netns add).
  std::string run_netns = "/run/netns";
  /// How to ask for the socket table: "legacy" or "per-family".
  std::string request = "legacy";
  /// A recording to read the socket table from instead of the kernel.
  std::string replay;
  SuspicionConfig suspicion;
  /// How many namespaces' socket tables are walked at once (--netns.walkers).
  int netns_walkers = DefaultNetnsWalkers();

  /// The number of CPUs this process may run on (its affinity; a CPU quota
  /// is not seen), at most 4: parallel walks of namespaces that share the
  /// host's hash table each walk all of it, so more walkers than cores only
  /// queue for the CPU.
  static int DefaultNetnsWalkers();
};

/// One network namespace and what collectors read from it: its files, its
/// sysctls read once per scrape, its one socket walk per scrape (ask
/// Sources::Walks for it), its listeners' drops, which the walk and the
/// listener sampler keep up to date, and its Unix listeners' dump.
struct Netns {
  /// `make_unix_source` null: the sockets do not come from the kernel, and
  /// there are no Unix listeners to read.
  Netns(NetnsIdentity identity, std::unique_ptr<NetnsIo> io,
        const SourceOptions& options, SocketWalker::SourceFactory make_source,
        HostPairs* host_pairs,
        UnixListenerWalker::SourceFactory make_unix_source = nullptr);

  NetnsIdentity identity;
  const std::unique_ptr<NetnsIo> io;
  /// Its established hash table's size, read once when it is found (it is
  /// fixed for the namespace's life): see ReadEhashEntries.
  std::optional<std::int64_t> ehash_entries;
  Status ehash_status;
  SysctlCache sysctls;
  DropLedger drops;  // Before walker, which feeds it.
  SocketWalker walker;
  UnixListenerWalker unix_listeners;
};

/// A namespace's walk of one scrape.
struct NamespaceWalk {
  std::shared_ptr<Netns> netns;
  std::shared_ptr<const SocketWalk> walk;
  /// With scope "all": the suspects among its connections to the host's
  /// other namespaces, decided once every namespace was walked.
  SuspicionSummary cross;
};

/// What every collector reads through: the network namespaces to collect
/// (the exporter's own, or with scope "all" every one on the host,
/// rediscovered once per scrape), each with its sysctls and socket walk.
/// One per exporter, created from the parsed flags and handed to each
/// collector explicitly. Thread-safe.
class Sources {
 public:
  /// `make_source`, when given, replaces the kernel (or the replay file) as
  /// where the socket walk's dumps come from: the seam for injecting faults.
  explicit Sources(const SourceOptions& options,
                   SocketWalker::SourceFactory make_source = nullptr);
  Sources(const Sources&) = delete;
  Sources& operator=(const Sources&) = delete;

  const SourceOptions& options() const { return options_; }
  /// True with --netns.scope=all: series then carry a `netns` label.
  bool all_namespaces() const { return options_.netns_scope == "all"; }

  /// The namespaces of scrape `scrape_id`, the exporter's own first. With
  /// scope "all" the host is searched again for the first call of a scrape:
  /// new namespaces are entered, vanished ones let go.
  std::vector<std::shared_ptr<Netns>> Namespaces(std::uint64_t scrape_id);

  /// Searches the host again now (scope "all"; the exporter's own alone
  /// otherwise) and returns the namespaces found, the exporter's own first:
  /// for a look at start-up, before the first scrape.
  std::vector<std::shared_ptr<Netns>> Search();

  /// The namespaces as the last search left them, the exporter's own first,
  /// without searching again: for readers between scrapes.
  std::vector<std::shared_ptr<Netns>> Current() const;
  /// Changes whenever a search finds a namespace more or one fewer, so that
  /// readers between scrapes need call Current() only then.
  std::uint64_t generation() const { return generation_.load(); }
  /// True when the sockets come from the kernel: no recording replayed, no
  /// test's source injected.
  bool live() const { return live_; }

  /// Every namespace's walk of scrape `scrape_id`: the first caller walks
  /// them, up to options().netns_walkers at once, the others get the same
  /// walks; connections between namespaces are matched once all are done. A
  /// full walk of a namespace costs a walk of the host's whole connection hash,
  /// however few sockets it holds, so only the first half of the time until
  /// `deadline` is spent on full walks of namespaces other than the exporter's
  /// own: the namespaces whose last full walk is oldest go first, and those
  /// left get their listeners dumped (cheap) and keep their last full walk's
  /// connections until their turn comes.
  std::vector<NamespaceWalk> Walks(
      std::uint64_t scrape_id,
      std::chrono::steady_clock::time_point deadline =
          std::chrono::steady_clock::time_point::max());

  /// Why the last search could not enter or see every namespace (ok when it
  /// could): missing privileges, most often.
  Status discovery_status() const;

  /// Counts a failure to read a namespace other than the exporter's own
  /// (it may have vanished meanwhile); its series are left out.
  void NoteNamespaceError();
  std::uint64_t namespace_errors_total() const;

  /// Seconds spent walking namespaces other than the exporter's own, summed
  /// over their walks since start (parallel walks add up, so this can grow
  /// faster than the clock).
  double other_walks_seconds_total() const;

  /// Processes whose namespace could not be seen in the last search
  /// although the exporter had the privileges (a security module or a
  /// sandbox said no).
  int unreadable_processes() const;

 private:
  void Discover();
  // With scope "all": the addresses each namespace holds, for matching
  // connections between namespaces.
  void AddAddresses(const std::vector<std::shared_ptr<Netns>>& namespaces);

  const SourceOptions options_;
  const bool live_;  // Before make_source_, which takes the factory.
  const SocketWalker::SourceFactory make_source_;
  std::atomic<std::uint64_t> generation_{1};
  HostPairs host_pairs_;  // Scope "all" only; guarded by walk_mu_.
  const std::shared_ptr<Netns> own_;
  mutable std::mutex mu_;
  std::map<std::uint64_t, std::shared_ptr<Netns>> others_;  // By inode.
  std::uint64_t last_scrape_ = 0;
  Status discovery_status_;
  int unreadable_processes_ = 0;

  std::mutex walk_mu_;
  std::uint64_t walked_scrape_ = 0;
  std::vector<NamespaceWalk> walks_;
  // By namespace: its suspects among connections to other namespaces, as of
  // its last full walk (kept for the scrapes that put its walk off).
  std::map<std::uint64_t, SuspicionSummary> last_cross_;
  std::uint64_t namespace_errors_total_ = 0;
  double other_walks_seconds_total_ = 0;  // Guarded by mu_.
};

/// How the namespaces found share the host's established hash table, for
/// the start-up log.
struct EhashSharing {
  int namespaces = 0;  ///< Found, the exporter's own included.
  int shared = 0;      ///< Of those, sharing the host's table.
  int own_table = 0;   ///< With a table of their own (not the host's).
  int unknown = 0;     ///< Whose kernel does not say (before Linux 6.1).
  std::int64_t host_buckets = 0;  ///< The host's table's size, when known.
  /// TCP sockets (sockstat inuse + tw) of the namespaces that share the
  /// host's table, the exporter's own included when it does: what a full
  /// walk of any of them walks through, at the time of the call.
  std::uint64_t shared_sockets = 0;
};

/// Reads each namespace's sockstat (inside it) to sum up `namespaces`.
EhashSharing SummarizeEhash(
    const std::vector<std::shared_ptr<Netns>>& namespaces);

}  // namespace halfopen
