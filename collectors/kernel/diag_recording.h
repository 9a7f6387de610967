#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "base/status.h"
#include "kernel/diag_source.h"

namespace halfopen::recording {

// The recording format shared by the recorder and the replayer (documented
// in tests/fixtures/sockdiag/README.md): the magic, then per request an 'R'
// record (sequence and port id, 4 bytes each, host order) and per datagram a
// 'D' record (4-byte length, then the bytes).
inline constexpr char kMagic[8] = {'H', 'O', 'E', 'D', 'I', 'A', 'G', '1'};
inline constexpr std::uint8_t kRequestRecord = 'R';
inline constexpr std::uint8_t kDatagramRecord = 'D';
inline constexpr std::uint32_t kMaxDatagramBytes = 1 << 20;

/// Reads a recording from `file` and hands each datagram that answers a
/// request to `handler`, as the kernel sent them, until the handler sees the
/// end of each dump. A file that is not a recording, a record cut short or
/// longer than kMaxDatagramBytes, or a file that ends before the dump did is
/// an error naming `name`. Reads at most one datagram into memory at a time.
Status Replay(std::FILE* file, const std::string& name,
              const DatagramHandler& handler);

/// A stdio file closed when destroyed.
class File {
 public:
  File(const std::string& path, const char* mode)
      : file_(std::fopen(path.c_str(), mode)) {}
  ~File() {
    if (file_ != nullptr) std::fclose(file_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  std::FILE* get() const { return file_; }

 private:
  std::FILE* file_;
};

}  // namespace halfopen::recording
