#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "kernel/procfs_reader.h"

namespace halfopen {

/// A process holding a socket.
struct SocketOwner {
  int pid = 0;
  std::string comm;
};

/// Which processes hold which sockets, found the way `ss -p` does: by
/// reading every process's file descriptor links (<procfs>/<pid>/fd/*)
/// and keeping those to the sockets asked for. A search reads every
/// descriptor on the host, so its result is kept: searched again after
/// `refresh`, or sooner (at most every `min_interval`) when a socket not
/// seen before is asked for. Thread-safe.
class SocketOwners {
 public:
  using Clock = std::chrono::steady_clock;

  SocketOwners(ProcfsReader procfs, Clock::duration refresh,
               Clock::duration min_interval);

  /// The owners of those of `inodes` that have any, as of the last search.
  std::map<std::uint32_t, std::vector<SocketOwner>> Find(
      const std::set<std::uint32_t>& inodes, Clock::time_point now);

  /// Processes whose descriptors the last search could not read (another
  /// user's, without CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH).
  int denied() const;

 private:
  void Search(const std::set<std::uint32_t>& inodes);

  const ProcfsReader procfs_;
  const Clock::duration refresh_;
  const Clock::duration min_interval_;
  mutable std::mutex mu_;
  bool searched_ = false;
  Clock::time_point last_search_;
  std::set<std::uint32_t> searched_for_;
  std::map<std::uint32_t, std::vector<SocketOwner>> owners_;
  int denied_ = 0;
};

}  // namespace halfopen
