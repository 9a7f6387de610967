#include "exporter/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "engine/family.h"
#include "kernel/procfs_reader.h"

namespace halfopen {
namespace {

void AddGauge(const char* name, const char* help, double value,
              prometheus::MetricType type,
              std::vector<prometheus::MetricFamily>* out) {
  auto family = NewFamily(name, help, type);
  AddSample(&family, {}, value);
  out->push_back(std::move(family));
}

// client_golang reports an unlimited limit as the largest uint64.
double Limit(rlim_t value) {
  return value == RLIM_INFINITY ? 18446744073709551615.0
                                : static_cast<double>(value);
}

// Entries of /proc/self/fd, less the one the listing itself holds open.
int OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count - 1;
}

void AddFromStat(std::vector<prometheus::MetricFamily>* out) {
  const ProcfsReader proc("/proc");
  std::string stat_text, boot_text;
  ProcStat stat;
  double boot_time = 0;
  if (!proc.Read("self/stat", &stat_text).ok() ||
      !ParseProcStat(stat_text, &stat).ok()) {
    return;
  }
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  const auto counter = prometheus::MetricType::Counter;
  const auto gauge = prometheus::MetricType::Gauge;
  AddGauge("process_cpu_seconds_total",
           "Total user and system CPU time spent in seconds.",
           (stat.user_ticks + stat.system_ticks) / ticks, counter, out);
  AddGauge("process_resident_memory_bytes", "Resident memory size in bytes.",
           stat.resident_pages * page, gauge, out);
  AddGauge("process_virtual_memory_bytes", "Virtual memory size in bytes.",
           stat.virtual_bytes, gauge, out);
  if (proc.Read("stat", &boot_text).ok() &&
      ParseBootTime(boot_text, &boot_time).ok()) {
    AddGauge("process_start_time_seconds",
             "Start time of the process since unix epoch in seconds.",
             boot_time + stat.start_ticks / ticks, gauge, out);
  }
}

}  // namespace

Status ParseProcStat(const std::string& text, ProcStat* out) {
  const auto paren = text.rfind(')');
  if (paren == std::string::npos) {
    return Status::Error("/proc/self/stat: no ')' after the command name");
  }
  // Field 3 (state) is the first after ')'; we need 14, 15, 22, 23, 24.
  std::istringstream fields(text.substr(paren + 1));
  std::string field;
  for (int number = 3; number <= 24 && fields >> field; ++number) {
    char* end = nullptr;
    const double value = std::strtod(field.c_str(), &end);
    if (number >= 14 && *end != '\0') {
      return Status::Error("/proc/self/stat: field " + std::to_string(number) +
                           " is not a number");
    }
    if (number == 14) out->user_ticks = value;
    if (number == 15) out->system_ticks = value;
    if (number == 22) out->start_ticks = value;
    if (number == 23) out->virtual_bytes = value;
    if (number == 24) {
      out->resident_pages = value;
      return Status::Ok();
    }
  }
  return Status::Error("/proc/self/stat: fewer than 24 fields");
}

Status ParseBootTime(const std::string& text, double* out) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("btime ", 0) == 0) {
      char* end = nullptr;
      *out = std::strtod(line.c_str() + 6, &end);
      if (end != line.c_str() + 6) return Status::Ok();
    }
  }
  return Status::Error("/proc/stat: no btime line");
}

std::vector<prometheus::MetricFamily> CollectProcessMetrics() {
  std::vector<prometheus::MetricFamily> out;
  AddFromStat(&out);
  const auto gauge = prometheus::MetricType::Gauge;
  const int open_fds = OpenFds();
  if (open_fds >= 0) {
    AddGauge("process_open_fds", "Number of open file descriptors.", open_fds,
             gauge, &out);
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    AddGauge("process_max_fds", "Maximum number of open file descriptors.",
             Limit(limit.rlim_cur), gauge, &out);
  }
  if (getrlimit(RLIMIT_AS, &limit) == 0) {
    AddGauge("process_virtual_memory_max_bytes",
             "Maximum amount of virtual memory available in bytes.",
             Limit(limit.rlim_cur), gauge, &out);
  }
  return out;
}

}  // namespace halfopen
