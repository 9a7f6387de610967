#include "collectors/procfs/sysctl.h"

#include <charconv>
#include <string_view>
#include <type_traits>

namespace halfopen {

Status ReadSysctl(const ProcfsReader& reader, const std::string& path,
                  std::optional<double>* value) {
  value->reset();
  if (!reader.Exists(path)) return Status::Ok();
  std::string text;
  Status status = reader.Read(path, &text);
  if (!status.ok()) return status;
  std::string_view trimmed(text);
  while (!trimmed.empty() &&
         (trimmed.back() == '\n' || trimmed.back() == ' ')) {
    trimmed.remove_suffix(1);
  }
  long long parsed = 0;
  const auto [end, ec] =
      std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), parsed);
  if (trimmed.empty() || ec != std::errc() ||
      end != trimmed.data() + trimmed.size()) {
    return Status::Error(reader.PathOf(path) + ": \"" + std::string(trimmed) +
                         "\" is not a whole number");
  }
  *value = static_cast<double>(parsed);
  return Status::Ok();
}

Status ReadKernelSettings(const ProcfsReader& reader,
                          KernelSettings* settings) {
  Status status;
  // Overwrites *target when the sysctl exists; keeps the default otherwise.
  auto read = [&](const char* path, auto* target) {
    std::optional<double> value;
    if (status.ok()) status = ReadSysctl(reader, path, &value);
    if (value)
      *target = static_cast<std::remove_pointer_t<decltype(target)>>(*value);
  };
  read("sys/net/ipv4/tcp_retries2", &settings->tcp_retries2);
  read("sys/net/ipv4/tcp_keepalive_time", &settings->keepalive_time_seconds);
  read("sys/net/ipv4/tcp_keepalive_intvl", &settings->keepalive_intvl_seconds);
  read("sys/net/ipv4/tcp_keepalive_probes", &settings->keepalive_probes);
  read("sys/net/ipv4/tcp_syn_retries", &settings->tcp_syn_retries);
  read("sys/net/ipv4/tcp_syn_linear_timeouts",
       &settings->tcp_syn_linear_timeouts);
  read("sys/net/ipv4/tcp_synack_retries", &settings->tcp_synack_retries);
  return status;
}

}  // namespace halfopen
