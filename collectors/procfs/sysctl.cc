#include "collectors/procfs/sysctl.h"

#include <charconv>
#include <string_view>

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
  struct Field {
    const char* path;
    double* real;
    int* whole;
  };
  double retries2 = settings->tcp_retries2, probes = settings->keepalive_probes,
         syn = settings->tcp_syn_retries,
         linear = settings->tcp_syn_linear_timeouts,
         synack = settings->tcp_synack_retries;
  const Field fields[] = {
      {"sys/net/ipv4/tcp_retries2", &retries2, &settings->tcp_retries2},
      {"sys/net/ipv4/tcp_keepalive_time", &settings->keepalive_time_seconds,
       nullptr},
      {"sys/net/ipv4/tcp_keepalive_intvl", &settings->keepalive_intvl_seconds,
       nullptr},
      {"sys/net/ipv4/tcp_keepalive_probes", &probes,
       &settings->keepalive_probes},
      {"sys/net/ipv4/tcp_syn_retries", &syn, &settings->tcp_syn_retries},
      {"sys/net/ipv4/tcp_syn_linear_timeouts", &linear,
       &settings->tcp_syn_linear_timeouts},
      {"sys/net/ipv4/tcp_synack_retries", &synack,
       &settings->tcp_synack_retries},
  };
  for (const Field& field : fields) {
    std::optional<double> value;
    Status status = ReadSysctl(reader, field.path, &value);
    if (!status.ok()) return status;
    if (!value) continue;
    *field.real = *value;
    if (field.whole != nullptr) *field.whole = static_cast<int>(*value);
  }
  return Status::Ok();
}

}  // namespace halfopen
