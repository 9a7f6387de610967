#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "prometheus/metric_family.h"

namespace halfopen {

/// What /proc/<pid>/stat says about a process, in the units it uses.
struct ProcStat {
  double user_ticks = 0;
  double system_ticks = 0;
  double start_ticks = 0;  ///< After boot.
  double virtual_bytes = 0;
  double resident_pages = 0;
};

/// Parses the one line of /proc/<pid>/stat. The command name may hold
/// spaces and parentheses; the fields are counted after its last ')'.
Status ParseProcStat(const std::string& text, ProcStat* out);

/// The `btime` line of /proc/stat: boot time in seconds since the epoch.
Status ParseBootTime(const std::string& text, double* out);

/// The standard process metrics, with client_golang's names and meanings:
/// process_cpu_seconds_total, process_resident_memory_bytes,
/// process_virtual_memory_bytes, process_virtual_memory_max_bytes,
/// process_open_fds, process_max_fds and process_start_time_seconds, read
/// from this process's /proc/self (not --path.procfs). A value that cannot
/// be read is left out.
std::vector<prometheus::MetricFamily> CollectProcessMetrics();

}  // namespace halfopen
