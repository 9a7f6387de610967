#pragma once

#include <string>

#include "base/status.h"

namespace halfopen {

/// Reads files below a procfs root (the `--path.procfs` flag), so the whole
/// exporter can run on a fixture tree. I/O only: no parsing.
class ProcfsReader {
 public:
  explicit ProcfsReader(std::string root) : root_(std::move(root)) {}

  /// The full path of `relative` (e.g. "net/netstat") below the root.
  std::string PathOf(const std::string& relative) const;

  /// Reads the whole file into *text. Errors name the full path and the
  /// reason, e.g. "cannot read /proc/net/netstat: No such file or directory".
  Status Read(const std::string& relative, std::string* text) const;

  /// True when the file exists (used to tell "absent on this kernel" from a
  /// read error).
  bool Exists(const std::string& relative) const;

 private:
  std::string root_;
};

}  // namespace halfopen
