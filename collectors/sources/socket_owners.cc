#include "sources/socket_owners.h"

#include <algorithm>
#include <cerrno>

#include "decode/proc_text.h"

namespace halfopen {

SocketOwners::SocketOwners(ProcfsReader procfs, Clock::duration refresh,
                           Clock::duration min_interval)
    : procfs_(std::move(procfs)),
      refresh_(refresh),
      min_interval_(min_interval) {}

SocketOwners::~SocketOwners() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (searcher_.joinable()) searcher_.join();
}

std::map<std::uint32_t, std::vector<SocketOwner>> SocketOwners::Find(
    const std::set<std::uint32_t>& inodes, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  const bool new_socket = !std::includes(
      searched_for_.begin(), searched_for_.end(), inodes.begin(), inodes.end());
  const auto age = now - last_search_;
  const bool due =
      !started_ || age >= refresh_ || (new_socket && age >= min_interval_);
  if (due && !searching_) {
    last_search_ = now;
    searched_for_ = inodes;
    if (!started_) {
      started_ = true;
      Found found = Search(inodes);
      owners_ = std::move(found.owners);
      denied_ = found.denied;
      searcher_ = std::thread(&SocketOwners::Work, this);
    } else {
      searching_ = true;
      wake_.notify_one();
    }
  }
  std::map<std::uint32_t, std::vector<SocketOwner>> found;
  for (const std::uint32_t inode : inodes) {
    const auto owners = owners_.find(inode);
    if (owners != owners_.end()) found.insert(*owners);
  }
  return found;
}

void SocketOwners::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || searching_; });
    if (stopping_) return;
    const std::set<std::uint32_t> inodes = searched_for_;
    lock.unlock();
    Found found = Search(inodes);
    lock.lock();
    owners_ = std::move(found.owners);
    denied_ = found.denied;
    searching_ = false;
  }
}

int SocketOwners::denied() const {
  std::lock_guard<std::mutex> lock(mu_);
  return denied_;
}

SocketOwners::Found SocketOwners::Search(
    const std::set<std::uint32_t>& inodes) const {
  Found found;
  std::vector<std::string> pids;
  if (!procfs_.List("", &pids).ok()) return found;
  std::vector<std::string> fds;
  std::string link;
  for (const std::string& pid : pids) {
    if (stopping_) break;
    if (!IsPidName(pid)) continue;
    if (!procfs_.List(pid + "/fd", &fds).ok()) {
      int error_number = 0;
      // A process that exited meanwhile, and a kernel thread, have no exe
      // link (ENOENT): not a denial. One whose exe is readable (another
      // user's, with CAP_SYS_PTRACE) or refused is.
      found.denied += procfs_.ReadLink(pid + "/exe", &link, &error_number) ||
                      error_number == EACCES || error_number == EPERM;
      continue;
    }
    std::string comm;
    for (const std::string& fd : fds) {
      std::uint64_t inode = 0;
      int error_number = 0;
      if (!procfs_.ReadLink(pid + "/fd/" + fd, &link, &error_number) ||
          !ParseInodeLink(link, "socket", &inode) ||
          !inodes.contains(static_cast<std::uint32_t>(inode))) {
        continue;
      }
      if (comm.empty() && procfs_.Read(pid + "/comm", &comm).ok()) {
        while (!comm.empty() && comm.back() == '\n') comm.pop_back();
      }
      auto& owners = found.owners[static_cast<std::uint32_t>(inode)];
      const int number = std::stoi(pid);
      // One entry per process, however many descriptors it has for it.
      if (owners.empty() || owners.back().pid != number) {
        owners.push_back({number, comm});
      }
    }
  }
  return found;
}

}  // namespace halfopen
