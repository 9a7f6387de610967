#include "sources/sources.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "decode/cgroup_identity.h"
#include "decode/proc_text.h"
#include "kernel/interface_addresses.h"
#include "kernel/netns_thread.h"
#include "sources/netns_discovery.h"
#include "sources/parallel.h"

namespace halfopen {
namespace {

SocketWalker::SourceFactory DiagSourceFactory(const SourceOptions& options) {
  const std::string replay = options.replay;
  const DiagRequestMode mode = options.request == "per-family"
                                   ? DiagRequestMode::kPerFamily
                                   : DiagRequestMode::kLegacySingleWalk;
  return [replay, mode]() -> std::unique_ptr<DiagSource> {
    if (!replay.empty()) return MakeReplayDiagSource(replay);
    return MakeNetlinkDiagSource(mode);
  };
}

// Unix listeners come from the kernel only: a recording holds TCP sockets.
UnixListenerWalker::SourceFactory UnixSourceFactory(bool live) {
  if (!live) return nullptr;
  return [] { return MakeNetlinkDiagSource(DiagRequestMode::kPerFamily); };
}

NetnsIdentity OwnIdentity(const ProcfsReader& procfs) {
  NetnsIdentity identity;
  identity.own = true;
  OwnNetworkNamespace(procfs, &identity.inode).ok();  // 0 on a fixture tree.
  return identity;
}

// Who a found namespace is: its name, and its lowest-pid process's name,
// pod and container.
NetnsIdentity Identify(const ProcfsReader& procfs, const FoundNetns& found,
                       bool own) {
  NetnsIdentity identity;
  identity.inode = found.inode;
  identity.own = own;
  identity.name = found.name;
  identity.pid = found.pid;
  if (found.pid == 0) return identity;
  const std::string pid = std::to_string(found.pid);
  std::string text;
  if (procfs.Read(pid + "/comm", &text).ok()) {
    while (!text.empty() && text.back() == '\n') text.pop_back();
    identity.comm = text;
  }
  if (procfs.Read(pid + "/cgroup", &text).ok()) {
    const CgroupIdentity cgroup = ParseCgroupIdentity(text);
    identity.pod_uid = cgroup.pod_uid;
    identity.container_id = cgroup.container_id;
  }
  return identity;
}

}  // namespace

int SourceOptions::DefaultNetnsWalkers() {
  const unsigned cores = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(cores, 1u, 4u));
}

Netns::Netns(NetnsIdentity identity_in, std::unique_ptr<NetnsIo> io_in,
             const SourceOptions& options,
             SocketWalker::SourceFactory make_source, HostPairs* host_pairs,
             UnixListenerWalker::SourceFactory make_unix_source)
    : identity(std::move(identity_in)),
      io(std::move(io_in)),
      sysctls(io.get()),
      walker(std::move(make_source), io.get(), &sysctls, &drops,
             options.suspicion, CrossNamespace{identity.inode, host_pairs}),
      unix_listeners(std::move(make_unix_source), io.get()) {
  ehash_status = ReadEhashEntries(*io, &ehash_entries);
}

Sources::Sources(const SourceOptions& options,
                 SocketWalker::SourceFactory make_source)
    : options_(options),
      live_(make_source == nullptr && options.replay.empty()),
      make_source_(make_source ? std::move(make_source)
                               : DiagSourceFactory(options)),
      host_pairs_(options.suspicion),
      own_(std::make_shared<Netns>(OwnIdentity(ProcfsReader(options.procfs)),
                                   std::make_unique<NetnsIo>(options.procfs),
                                   options, make_source_,
                                   all_namespaces() ? &host_pairs_ : nullptr,
                                   UnixSourceFactory(live_))) {}

std::vector<std::shared_ptr<Netns>> Sources::Namespaces(
    std::uint64_t scrape_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (all_namespaces() && scrape_id != last_scrape_) Discover();
  last_scrape_ = scrape_id;
  std::vector<std::shared_ptr<Netns>> namespaces = {own_};
  for (const auto& [inode, netns] : others_) namespaces.push_back(netns);
  return namespaces;
}

std::vector<std::shared_ptr<Netns>> Sources::Search() {
  std::lock_guard<std::mutex> lock(mu_);
  if (all_namespaces()) Discover();
  std::vector<std::shared_ptr<Netns>> namespaces = {own_};
  for (const auto& [inode, netns] : others_) namespaces.push_back(netns);
  return namespaces;
}

std::vector<std::shared_ptr<Netns>> Sources::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<Netns>> namespaces = {own_};
  for (const auto& [inode, netns] : others_) namespaces.push_back(netns);
  return namespaces;
}

void Sources::Discover() {
  const ProcfsReader procfs(options_.procfs);
  std::vector<FoundNetns> found;
  int denied = 0;
  Status status =
      FindNetworkNamespaces(procfs, options_.run_netns, &found, &denied);
  if (!status.ok()) {
    discovery_status_ = status;
    return;
  }
  std::map<std::uint64_t, std::shared_ptr<Netns>> next;
  int failed = 0;
  std::string first_error;
  for (const FoundNetns& netns : found) {
    if (netns.inode == own_->identity.inode) {
      own_->identity = Identify(procfs, netns, true);
      continue;
    }
    auto known = others_.find(netns.inode);
    if (known != others_.end()) {
      if (known->second->identity.pid != netns.pid) {
        known->second->identity = Identify(procfs, netns, false);
      }
      next.insert(*known);
      continue;
    }
    std::unique_ptr<NetnsThread> thread;
    status = NetnsThread::Enter(netns.path, &thread);
    if (!status.ok()) {
      std::uint64_t inode = 0;
      int error_number = 0;
      // A process that exited meanwhile takes its namespace with it.
      if (!NamespaceInode(netns.path, &inode, &error_number) &&
          error_number == ENOENT) {
        continue;
      }
      if (failed++ == 0) first_error = status.message();
      continue;
    }
    next[netns.inode] = std::make_shared<Netns>(
        Identify(procfs, netns, false),
        std::make_unique<NetnsIo>(options_.procfs, std::move(thread)), options_,
        make_source_, &host_pairs_, UnixSourceFactory(live_));
  }
  const bool changed = next.size() != others_.size() ||
                       !std::equal(next.begin(), next.end(), others_.begin(),
                                   [](const auto& a, const auto& b) {
                                     return a.first == b.first;
                                   });
  others_.swap(next);  // Namespaces no longer found are let go here.
  if (changed) ++generation_;
  // With the privileges, a process hidden anyway is a sandbox's choice:
  // counted, not a failure. Without them it is the first sign of it.
  const bool privileged = HasNamespacePrivileges();
  unreadable_processes_ = privileged ? denied : 0;
  if (failed == 0 && (privileged || denied == 0)) {
    discovery_status_ = Status::Ok();
    return;
  }
  discovery_status_ = Status::Error(
      "cannot read every network namespace: " +
      (failed > 0 ? std::to_string(failed) + " could not be entered" +
                        (denied > 0 ? ", " : "")
                  : "") +
      (denied > 0 ? std::to_string(denied) + " processes could not be seen"
                  : "") +
      (privileged ? ""
                  : " (--netns.scope=all needs CAP_SYS_ADMIN and "
                    "CAP_SYS_PTRACE, and hostPID in Kubernetes)") +
      "; the others are read" +
      (first_error.empty() ? "" : ". First error: " + first_error));
}

std::vector<NamespaceWalk> Sources::Walks(
    std::uint64_t scrape_id, std::chrono::steady_clock::time_point deadline) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto namespaces = Namespaces(scrape_id);
  std::lock_guard<std::mutex> lock(walk_mu_);
  if (walked_scrape_ == scrape_id && !walks_.empty()) return walks_;
  const bool all = all_namespaces();
  if (all) {
    host_pairs_.BeginCollection(
        std::chrono::duration<double>(start.time_since_epoch()).count());
    AddAddresses(namespaces);
  }
  // The exporter's own first, then the longest unwalked.
  std::stable_sort(namespaces.begin() + 1, namespaces.end(),
                   [](const auto& a, const auto& b) {
                     return a->walker.last_full_walk() <
                            b->walker.last_full_walk();
                   });
  const auto full_walks_until = deadline == Clock::time_point::max()
                                    ? deadline
                                    : start + (deadline - start) / 2;
  // The exporter's own namespace (the largest, most often) is taken first,
  // so that its walk overlaps the others' instead of following them.
  std::vector<std::shared_ptr<const SocketWalk>> done(namespaces.size());
  RunInParallel(namespaces.size(), options_.netns_walkers, [&](std::size_t i) {
    done[i] = namespaces[i]->walker.ForScrape(scrape_id,
                                              Clock::now() < full_walks_until);
  });
  std::vector<NamespaceWalk> walks;
  double other_seconds = 0;
  for (std::size_t i = 0; i < namespaces.size(); ++i) {
    const auto& netns = namespaces[i];
    auto& walk = done[i];
    if (!netns->identity.own) other_seconds += walk->duration_seconds;
    const bool put_off =
        walk->connections_unknown || walk->connections_age_seconds > 0;
    if (all && put_off) host_pairs_.NotWalked(netns->identity.inode);
    if (all) {
      for (const Listener& listener : walk->listeners.listeners()) {
        host_pairs_.AddListener(netns->identity.inode, listener.family,
                                listener.address, listener.port);
      }
    }
    walks.push_back({netns, std::move(walk), {}});
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    other_walks_seconds_total_ += other_seconds;
  }
  if (all) {
    auto cross = host_pairs_.Finish();
    for (NamespaceWalk& walk : walks) {
      const std::uint64_t inode = walk.netns->identity.inode;
      if (walk.walk->connections_age_seconds > 0) {
        walk.cross = last_cross_[inode];  // As of its last full walk.
        continue;
      }
      const auto found = cross.find(inode);
      walk.cross =
          found != cross.end() ? std::move(found->second) : SuspicionSummary();
      last_cross_[inode] = walk.cross;
    }
    std::erase_if(last_cross_, [&](const auto& entry) {
      return std::none_of(walks.begin(), walks.end(), [&](const auto& walk) {
        return walk.netns->identity.inode == entry.first;
      });
    });
  }
  walked_scrape_ = scrape_id;
  walks_ = walks;
  return walks;
}

void Sources::AddAddresses(
    const std::vector<std::shared_ptr<Netns>>& namespaces) {
  // Listed in parallel (each inside its namespace), added in order.
  std::vector<std::vector<InterfaceAddress>> listed(namespaces.size());
  RunInParallel(namespaces.size(), options_.netns_walkers, [&](std::size_t i) {
    Status status;
    namespaces[i]->io->Run(
        [&] { status = ListInterfaceAddresses(&listed[i]); });
    if (!status.ok()) listed[i].clear();  // Its walk will say so.
  });
  for (std::size_t i = 0; i < namespaces.size(); ++i) {
    for (const auto& [family, address] : listed[i]) {
      if (!IsLoopback(family, address)) {
        host_pairs_.AddAddress(namespaces[i]->identity.inode, family, address);
      }
    }
  }
}

Status Sources::discovery_status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return discovery_status_;
}

void Sources::NoteNamespaceError() {
  std::lock_guard<std::mutex> lock(mu_);
  ++namespace_errors_total_;
}

int Sources::unreadable_processes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return unreadable_processes_;
}

std::uint64_t Sources::namespace_errors_total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return namespace_errors_total_;
}

double Sources::other_walks_seconds_total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return other_walks_seconds_total_;
}

EhashSharing SummarizeEhash(
    const std::vector<std::shared_ptr<Netns>>& namespaces) {
  EhashSharing sharing;
  for (const auto& netns : namespaces) {
    if (netns->ehash_entries.has_value() && *netns->ehash_entries < 0) {
      sharing.host_buckets = -*netns->ehash_entries;
    }
  }
  for (const auto& netns : namespaces) {
    ++sharing.namespaces;
    if (!netns->ehash_entries.has_value()) {
      ++sharing.unknown;
      continue;
    }
    const std::int64_t entries = *netns->ehash_entries;
    // A positive size equal to the shared table's is the host's own
    // namespace (the exporter's, with hostNetwork): its sockets are in the
    // table every shared walk goes through.
    const bool shares = entries < 0;
    const bool is_host = netns->identity.own && entries == sharing.host_buckets;
    if (shares) ++sharing.shared;
    if (!shares && !is_host) ++sharing.own_table;
    if (!shares && !is_host) continue;
    std::string text;
    TcpSockstat tcp;
    netns->io->Run([&] {
      if (netns->io->net().Read("net/sockstat", &text).ok() &&
          ParseTcpSockstat(text, &tcp)) {
        sharing.shared_sockets += tcp.inuse + tcp.tw;
      }
    });
  }
  return sharing;
}

}  // namespace halfopen
