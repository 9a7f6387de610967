#pragma once

#include <string>
#include <vector>

#include "tests/support/sockets.h"

namespace halfopen::testing {

/// A directory of its own under /tmp (/tmp/hoe-unix-XXXXXX), removed with
/// everything in it when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// Empty when it could not be made.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// A Unix listener of `type` (SOCK_STREAM, SOCK_SEQPACKET) bound to `name`,
/// in the calling thread's network namespace; a leading NUL makes the name
/// abstract. Invalid on failure (errno says why).
Fd ListenUnix(int type, const std::string& name, int backlog);

/// `count` nonblocking connects to `name`; the ones that got in are kept in
/// *clients. Returns how many failed with EAGAIN (the queue was full).
int ConnectUnix(int type, const std::string& name, int count,
                std::vector<Fd>* clients);

}  // namespace halfopen::testing
