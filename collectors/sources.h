#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "collectors/netns_io.h"
#include "collectors/socket_walk.h"
#include "collectors/sysctls.h"
#include "model/suspicion_tracker.h"

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
};

/// One network namespace and what collectors read from it: its files, its
/// sysctls read once per scrape, and its one socket walk per scrape.
struct Netns {
  Netns(NetnsIdentity identity, std::unique_ptr<NetnsIo> io,
        const SourceOptions& options);

  NetnsIdentity identity;
  const std::unique_ptr<NetnsIo> io;
  SysctlCache sysctls;
  SocketWalker walker;
};

/// What every collector reads through: the network namespaces to collect
/// (the exporter's own, or with scope "all" every one on the host,
/// rediscovered once per scrape), each with its sysctls and socket walk.
/// One per exporter, created from the parsed flags and handed to each
/// collector explicitly. Thread-safe.
class Sources {
 public:
  explicit Sources(const SourceOptions& options);
  Sources(const Sources&) = delete;
  Sources& operator=(const Sources&) = delete;

  const SourceOptions& options() const { return options_; }
  /// True with --netns.scope=all: series then carry a `netns` label.
  bool all_namespaces() const { return options_.netns_scope == "all"; }

  /// The namespaces of scrape `scrape_id`, the exporter's own first. With
  /// scope "all" the host is searched again for the first call of a scrape:
  /// new namespaces are entered, vanished ones let go.
  std::vector<std::shared_ptr<Netns>> Namespaces(std::uint64_t scrape_id);

  /// Why the last search could not enter or see every namespace (ok when it
  /// could): missing privileges, most often.
  Status discovery_status() const;

  /// Counts a failure to read a namespace other than the exporter's own
  /// (it may have vanished meanwhile); its series are left out.
  void NoteNamespaceError();
  std::uint64_t namespace_errors_total() const;

  /// Processes whose namespace could not be seen in the last search
  /// although the exporter had the privileges (a security module or a
  /// sandbox said no).
  int unreadable_processes() const;

 private:
  void Discover();

  const SourceOptions options_;
  const std::shared_ptr<Netns> own_;
  mutable std::mutex mu_;
  std::map<std::uint64_t, std::shared_ptr<Netns>> others_;  // By inode.
  std::uint64_t last_scrape_ = 0;
  Status discovery_status_;
  int unreadable_processes_ = 0;
  std::uint64_t namespace_errors_total_ = 0;
};

}  // namespace halfopen
