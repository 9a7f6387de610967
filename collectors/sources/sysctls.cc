#include "sources/sysctls.h"

#include "decode/sysctl_text.h"

namespace halfopen {
namespace {

constexpr const char* kPaths[kSysctlCount] = {
    "sys/net/ipv4/tcp_keepalive_time",
    "sys/net/ipv4/tcp_keepalive_intvl",
    "sys/net/ipv4/tcp_keepalive_probes",
    "sys/net/ipv4/tcp_retries1",
    "sys/net/ipv4/tcp_retries2",
    "sys/net/ipv4/tcp_syn_retries",
    "sys/net/ipv4/tcp_syn_linear_timeouts",
    "sys/net/ipv4/tcp_synack_retries",
    "sys/net/ipv4/tcp_abort_on_overflow",
    "sys/net/ipv4/tcp_syncookies",
    "sys/net/ipv4/tcp_max_syn_backlog",
    "sys/net/ipv4/tcp_fin_timeout",
    "sys/net/core/somaxconn",
};

}  // namespace

const char* SysctlPath(Sysctl sysctl) {
  return kPaths[static_cast<std::size_t>(sysctl)];
}

Status SysctlSnapshot::FirstError() const {
  for (const std::string& error : errors) {
    if (!error.empty()) return Status::Error(error);
  }
  return Status::Ok();
}

Status SysctlSnapshot::Settings(KernelSettings* settings) const {
  Status status;
  // Overwrites *target when the sysctl was read; keeps the default otherwise.
  auto take = [&](Sysctl sysctl, auto* target) {
    const std::size_t i = static_cast<std::size_t>(sysctl);
    if (values[i]) {
      *target =
          static_cast<std::remove_pointer_t<decltype(target)>>(*values[i]);
    } else if (!errors[i].empty() && status.ok()) {
      status = Status::Error(errors[i]);
    }
  };
  take(Sysctl::kRetries2, &settings->tcp_retries2);
  take(Sysctl::kKeepaliveTime, &settings->keepalive_time_seconds);
  take(Sysctl::kKeepaliveIntvl, &settings->keepalive_intvl_seconds);
  take(Sysctl::kKeepaliveProbes, &settings->keepalive_probes);
  take(Sysctl::kSynRetries, &settings->tcp_syn_retries);
  take(Sysctl::kSynLinearTimeouts, &settings->tcp_syn_linear_timeouts);
  take(Sysctl::kSynackRetries, &settings->tcp_synack_retries);
  return status;
}

Status ReadEhashEntries(NetnsIo& io, std::optional<std::int64_t>* entries) {
  constexpr const char* kPath = "sys/net/ipv4/tcp_ehash_entries";
  Status status;
  io.Run([&] {
    const ProcfsReader& reader = io.sys();
    if (!reader.Exists(kPath)) return;
    std::string text;
    double value = 0;
    status = reader.Read(kPath, &text);
    if (status.ok())
      status = ParseSysctlValue(reader.PathOf(kPath), text, &value);
    if (status.ok()) *entries = static_cast<std::int64_t>(value);
  });
  return status;
}

std::shared_ptr<const SysctlSnapshot> SysctlCache::ForScrape(
    std::uint64_t scrape_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (last_ == nullptr || scrape_id != last_scrape_) {
    last_ = Read();
    last_scrape_ = scrape_id;
  }
  return last_;
}

std::shared_ptr<const SysctlSnapshot> SysctlCache::Read() const {
  auto snapshot = std::make_shared<SysctlSnapshot>();
  io_.Run([&] {
    const ProcfsReader& reader = io_.sys();
    for (std::size_t i = 0; i < kSysctlCount; ++i) {
      if (!reader.Exists(kPaths[i])) continue;  // Not on this kernel.
      std::string text;
      double value = 0;
      Status status = reader.Read(kPaths[i], &text);
      if (status.ok()) {
        status = ParseSysctlValue(reader.PathOf(kPaths[i]), text, &value);
      }
      if (status.ok()) {
        snapshot->values[i] = value;
      } else {
        snapshot->errors[i] = status.message();
      }
    }
  });
  return snapshot;
}

}  // namespace halfopen
