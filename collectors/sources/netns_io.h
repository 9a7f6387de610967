#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "kernel/netns_thread.h"
#include "kernel/procfs_reader.h"

namespace halfopen {

/// Who a network namespace is: the inode that identifies it for its
/// lifetime, its /run/netns name, and its lowest-pid process with that
/// process's pod and container (from its cgroup).
struct NetnsIdentity {
  std::uint64_t inode = 0;
  bool own = false;  ///< The exporter's own namespace.
  std::string name;
  int pid = 0;  ///< The lowest pid in it; 0 when only a name holds it.
  std::string comm;
  std::string pod_uid;
  std::string container_id;
};

/// How to reach one namespace's files and sockets: directly for the
/// exporter's own, else through a thread that lives inside it (so that
/// sockets opened there belong to it, and /proc/thread-self/net and
/// /proc/sys/net show it). Thread-safe.
class NetnsIo {
 public:
  /// The exporter's own namespace: its files below `procfs`.
  explicit NetnsIo(const std::string& procfs);
  /// Another namespace, reached through `thread`: its net/ files below
  /// <procfs>/thread-self, its sysctls below <procfs>, read on the thread.
  NetnsIo(const std::string& procfs, std::unique_ptr<NetnsThread> thread);

  /// Runs `work` inside the namespace and returns when it has finished.
  void Run(const std::function<void()>& work);

  /// net/netstat, net/snmp, net/sockstat … of this namespace (read in Run).
  const ProcfsReader& net() const { return net_; }
  /// sys/net/… of this namespace (read in Run).
  const ProcfsReader& sys() const { return sys_; }
  bool own() const { return thread_ == nullptr; }

 private:
  const std::unique_ptr<NetnsThread> thread_;
  const ProcfsReader net_;
  const ProcfsReader sys_;
};

}  // namespace halfopen
