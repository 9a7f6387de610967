#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/status.h"

namespace halfopen {

/// A thread that lives inside one network namespace and runs work there:
/// sockets it opens belong to that namespace for good, and
/// /proc/thread-self/net and /proc/sys/net show that namespace. While it
/// lives it holds a reference to the namespace, so its owner should let it
/// go once the namespace is no longer found. Thread-safe.
class NetnsThread {
 public:
  /// Starts a thread and moves it into the namespace that `path` names
  /// (a /proc/<pid>/ns/net link or a /run/netns bind mount). Entering
  /// another namespace needs CAP_SYS_ADMIN, and opening another user's
  /// process's link CAP_SYS_PTRACE; the error names the step and the errno.
  static Status Enter(const std::string& path,
                      std::unique_ptr<NetnsThread>* out);

  /// Stops the thread once the work it is running, if any, is done.
  ~NetnsThread();
  NetnsThread(const NetnsThread&) = delete;
  NetnsThread& operator=(const NetnsThread&) = delete;

  /// Runs `work` on the thread, inside the namespace, and returns when it
  /// has finished, rethrowing what it threw. One piece of work at a time;
  /// callers queue. Called from the thread itself (work that asks for more
  /// work in the same namespace), it runs `work` at once.
  void Run(const std::function<void()>& work);

 private:
  NetnsThread() = default;
  void Loop();

  std::mutex mu_;
  std::condition_variable changed_;
  const std::function<void()>* work_ = nullptr;  // Guarded by mu_.
  std::uint64_t finished_ = 0;                   // Works done; guarded.
  std::exception_ptr thrown_;                    // By the last work.
  bool stop_ = false;                            // Guarded by mu_.
  std::mutex run_mu_;                            // Serialises Run() callers.
  std::thread thread_;
};

/// True when this process holds CAP_SYS_ADMIN (to enter other network
/// namespaces) and CAP_SYS_PTRACE (to see every process's namespace) in
/// its effective set.
bool HasNamespacePrivileges();

/// The inode of the namespace that `path` (an nsfs link or bind mount)
/// refers to, by stat(); false with *error_number set when it cannot be
/// read.
bool NamespaceInode(const std::string& path, std::uint64_t* inode,
                    int* error_number);

}  // namespace halfopen
