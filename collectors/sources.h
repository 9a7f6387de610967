#pragma once

#include <string>

#include "collectors/socket_walk.h"
#include "collectors/sysctls.h"
#include "kernel/procfs_reader.h"
#include "model/suspicion_tracker.h"

namespace halfopen {

/// What configures the sources, filled by the flags (`--path.procfs` in the
/// exporter, the socket-walk and `--suspects.*` flags by the collectors that
/// use them).
struct SourceOptions {
  std::string procfs = "/proc";
  /// How to ask for the socket table: "legacy" or "per-family".
  std::string request = "legacy";
  /// A recording to read the socket table from instead of the kernel.
  std::string replay;
  SuspicionConfig suspicion;
};

/// What every collector reads through: the procfs root, the sysctls read
/// once per scrape, and the one socket-table walk per scrape that the
/// sockets, listeners and halfopen collectors share. One per exporter,
/// created from the parsed flags and handed to each collector explicitly.
class Sources {
 public:
  /// `make_source`, when given, replaces the kernel (or the replay file) as
  /// where the socket walk's dumps come from: the seam for injecting faults.
  explicit Sources(const SourceOptions& options,
                   SocketWalker::SourceFactory make_source = nullptr);
  Sources(const Sources&) = delete;
  Sources& operator=(const Sources&) = delete;

  const SourceOptions& options() const { return options_; }
  const ProcfsReader& procfs() const { return procfs_; }
  SysctlCache& sysctls() { return sysctls_; }
  SocketWalker& walker() { return walker_; }

 private:
  const SourceOptions options_;
  const ProcfsReader procfs_;
  SysctlCache sysctls_;
  SocketWalker walker_;
};

}  // namespace halfopen
