#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/status.h"

namespace halfopen {

/// Counters of a /proc/net/netstat or /proc/net/snmp file, by prefix ("Tcp",
/// "TcpExt", …) and then by name. Values are signed (Tcp MaxConn is -1) and
/// kept as doubles, which is what Prometheus stores anyway.
using CounterTable = std::map<std::string, std::map<std::string, double>>;

/// Parses the header/value line pairs of a /proc/net/netstat or
/// /proc/net/snmp file into *out, merging a prefix that appears more than
/// once. `file_name` is used only in error messages, which name the file, the
/// 1-based line and what is wrong. Pure: no I/O, no logging, no exceptions.
Status ParseCounterFile(std::string_view file_name, std::string_view text,
                        CounterTable* out);

/// The value of prefix/name, or nullptr when the kernel does not have it.
const double* FindCounter(const CounterTable& table, const std::string& prefix,
                          const std::string& name);

}  // namespace halfopen
