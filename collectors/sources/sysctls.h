#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/status.h"
#include "model/kernel_settings.h"
#include "sources/netns_io.h"

namespace halfopen {

/// The TCP sysctls the exporter reads: the tcpsettings collector exports
/// every one, the suspicion model uses some. In the order they are exported.
enum class Sysctl : std::size_t {
  kKeepaliveTime,
  kKeepaliveIntvl,
  kKeepaliveProbes,
  kRetries1,
  kRetries2,
  kSynRetries,
  kSynLinearTimeouts,
  kSynackRetries,
  kAbortOnOverflow,
  kSyncookies,
  kMaxSynBacklog,
  kFinTimeout,
  kSomaxconn,
};
inline constexpr std::size_t kSysctlCount = 13;

/// Its file below the procfs root, e.g. "sys/net/ipv4/tcp_retries2".
const char* SysctlPath(Sysctl sysctl);

/// The sysctls as read for one scrape.
struct SysctlSnapshot {
  /// Each value; empty when this kernel does not have the sysctl (not an
  /// error) or when it could not be read (see errors).
  std::array<std::optional<double>, kSysctlCount> values;
  /// Why each could not be read, naming the file; "" when it was read or is
  /// absent.
  std::array<std::string, kSysctlCount> errors;

  std::optional<double> Get(Sysctl sysctl) const {
    return values[static_cast<std::size_t>(sysctl)];
  }
  /// The first error in export order, or ok.
  Status FirstError() const;
  /// The settings the suspicion model uses. Absent or unreadable ones keep
  /// the kernel defaults of KernelSettings; the status then names the first
  /// one that could not be read.
  Status Settings(KernelSettings* settings) const;
};

/// The size of the established hash table (TCP connections) of the
/// namespace that `io` reaches: net.ipv4.tcp_ehash_entries, read inside it.
/// Negative when the namespace shares the host's table, positive when it has
/// its own (it was created after net.ipv4.tcp_child_ehash_entries was set in
/// its creator's namespace) or is the host's. *entries stays empty, and the
/// status ok, on a kernel without the sysctl (before Linux 6.1); an
/// unreadable or malformed value is an error naming the file.
Status ReadEhashEntries(NetnsIo& io, std::optional<std::int64_t>* entries);

/// Reads one namespace's sysctls at most once per scrape, for every
/// collector that asks during it. Thread-safe.
class SysctlCache {
 public:
  /// `io` must outlive the cache.
  explicit SysctlCache(NetnsIo* io) : io_(*io) {}

  /// The snapshot for scrape `scrape_id`, reading it if this is the first
  /// request for that scrape.
  std::shared_ptr<const SysctlSnapshot> ForScrape(std::uint64_t scrape_id);

 private:
  std::shared_ptr<const SysctlSnapshot> Read() const;

  NetnsIo& io_;
  std::mutex mu_;
  std::uint64_t last_scrape_ = 0;
  std::shared_ptr<const SysctlSnapshot> last_;
};

}  // namespace halfopen
