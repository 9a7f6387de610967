#pragma once

#include <string>
#include <vector>

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

  /// The target of the symbolic link `relative` (e.g. "1/ns/net" gives
  /// "net:[4026531840]"). On failure *error_number is the errno (EACCES,
  /// ENOENT for a process that went away …).
  bool ReadLink(const std::string& relative, std::string* target,
                int* error_number) const;

  /// The names of the entries of directory `relative` ("" is the root),
  /// without "." and "..".
  Status List(const std::string& relative,
              std::vector<std::string>* names) const;

 private:
  std::string root_;
};

}  // namespace halfopen
