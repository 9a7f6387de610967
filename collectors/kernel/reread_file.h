#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace halfopen {

/// A procfs file opened once and read again from its start as often as
/// needed (pread at offset 0 makes the kernel generate it anew). The file
/// stays bound to what it showed when opened: /proc/thread-self/net/netstat
/// opened inside a network namespace keeps showing that namespace from any
/// thread, and keeps the namespace alive until closed. I/O only. Not
/// thread-safe.
class RereadFile {
 public:
  RereadFile() = default;
  ~RereadFile();
  RereadFile(const RereadFile&) = delete;
  RereadFile& operator=(const RereadFile&) = delete;
  RereadFile(RereadFile&& other) noexcept;
  RereadFile& operator=(RereadFile&& other) noexcept;

  /// Opens `path` (closing what was open). Errors name the path and errno.
  Status Open(const std::string& path);
  bool is_open() const { return fd_ >= 0; }
  void Close();

  /// Reads the whole file into *buffer, growing it only when the file no
  /// longer fits, and points *text at what was read. Allocates nothing once
  /// the buffer is large enough.
  Status Read(std::vector<char>* buffer, std::string_view* text);

 private:
  int fd_ = -1;
  std::string path_;
};

}  // namespace halfopen
