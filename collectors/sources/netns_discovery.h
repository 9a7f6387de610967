#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "kernel/procfs_reader.h"

namespace halfopen {

/// A network namespace found on the host.
struct FoundNetns {
  std::uint64_t inode = 0;
  int pid = 0;       ///< Its lowest-numbered process; 0 when none.
  std::string name;  ///< Its name under /run/netns, if it has one.
  /// What to open to enter it: <procfs>/<pid>/ns/net or <run_netns>/<name>.
  std::string path;
};

/// Every network namespace on the host, once each (by inode): from every
/// process's <procfs>/<pid>/ns/net, keeping the lowest pid, and from the
/// names bound under `run_netns`, sorted by inode. Processes that exit
/// meanwhile are skipped; *denied counts the links that could not be read
/// (another user's processes without CAP_SYS_PTRACE).
Status FindNetworkNamespaces(const ProcfsReader& procfs,
                             const std::string& run_netns,
                             std::vector<FoundNetns>* found, int* denied);

/// The inode of the exporter's own network namespace.
Status OwnNetworkNamespace(const ProcfsReader& procfs, std::uint64_t* inode);

}  // namespace halfopen
