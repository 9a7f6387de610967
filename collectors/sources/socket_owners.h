#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
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
/// descriptor on the host (a second for 100k of them), so its result is
/// kept: searched again after `refresh`, or sooner (at most every
/// `min_interval`) when a socket not seen before is asked for. The first
/// search runs in the first Find(); the later ones on a thread of this
/// object's own, started then and kept, so that none holds up a scrape.
/// Thread-safe.
class SocketOwners {
 public:
  using Clock = std::chrono::steady_clock;

  SocketOwners(ProcfsReader procfs, Clock::duration refresh,
               Clock::duration min_interval);
  /// Cuts short a search under way and stops the searching thread.
  ~SocketOwners();
  SocketOwners(const SocketOwners&) = delete;
  SocketOwners& operator=(const SocketOwners&) = delete;

  /// The owners of those of `inodes` that have any, as of the last finished
  /// search. When a search is due it is started, and only the very first
  /// is waited for (so that a fresh exporter names owners from its first
  /// scrape); a later one's result is there for the calls after it.
  std::map<std::uint32_t, std::vector<SocketOwner>> Find(
      const std::set<std::uint32_t>& inodes, Clock::time_point now);

  /// Processes whose descriptors the last search could not read (another
  /// user's, without CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH).
  int denied() const;

 private:
  struct Found {
    std::map<std::uint32_t, std::vector<SocketOwner>> owners;
    int denied = 0;
  };
  // Reads every process's descriptors; touches no member but procfs_ and
  // stopping_, so it runs without the lock.
  Found Search(const std::set<std::uint32_t>& inodes) const;
  // The searching thread: one search each time searching_ is set.
  void Work();

  const ProcfsReader procfs_;
  const Clock::duration refresh_;
  const Clock::duration min_interval_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool started_ = false;    // A search was ever started.
  bool searching_ = false;  // One is asked for or under way.
  Clock::time_point last_search_;
  std::set<std::uint32_t> searched_for_;  // By the last search started.
  std::map<std::uint32_t, std::vector<SocketOwner>> owners_;
  int denied_ = 0;
  // Set under mu_ (for the wait), read without it by a running search.
  std::atomic<bool> stopping_{false};
  std::thread searcher_;
};

}  // namespace halfopen
