#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collectors/collector.h"
#include "collectors/family.h"
#include "collectors/model/giveup.h"
#include "collectors/procfs/sysctl.h"
#include "collectors/sources/procfs_reader.h"

namespace halfopen {
namespace {

struct Setting {
  const char* path;    // below the procfs root
  const char* metric;  // full metric name
  const char* help;
};

// Each value is exported as it is, in base units (seconds where the sysctl
// is in seconds).
const Setting kSettings[] = {
    {"sys/net/ipv4/tcp_keepalive_time",
     "halfopen_kernel_tcp_keepalive_time_seconds",
     "net.ipv4.tcp_keepalive_time: idle time before the first keepalive "
     "probe."},
    {"sys/net/ipv4/tcp_keepalive_intvl",
     "halfopen_kernel_tcp_keepalive_intvl_seconds",
     "net.ipv4.tcp_keepalive_intvl: time between keepalive probes."},
    {"sys/net/ipv4/tcp_keepalive_probes",
     "halfopen_kernel_tcp_keepalive_probes",
     "net.ipv4.tcp_keepalive_probes: unanswered probes before giving up."},
    {"sys/net/ipv4/tcp_retries1", "halfopen_kernel_tcp_retries1",
     "net.ipv4.tcp_retries1: retransmissions before asking the network layer "
     "to re-check the route."},
    {"sys/net/ipv4/tcp_retries2", "halfopen_kernel_tcp_retries2",
     "net.ipv4.tcp_retries2: retransmissions (as a time budget) before an "
     "established connection is aborted."},
    {"sys/net/ipv4/tcp_syn_retries", "halfopen_kernel_tcp_syn_retries",
     "net.ipv4.tcp_syn_retries: SYN retransmissions before connect() fails."},
    {"sys/net/ipv4/tcp_syn_linear_timeouts",
     "halfopen_kernel_tcp_syn_linear_timeouts",
     "net.ipv4.tcp_syn_linear_timeouts (Linux 6.5+): SYN retransmissions at a "
     "fixed 1 s interval before the interval starts doubling."},
    {"sys/net/ipv4/tcp_synack_retries", "halfopen_kernel_tcp_synack_retries",
     "net.ipv4.tcp_synack_retries: SYN-ACK retransmissions before a SYN_RECV "
     "request is dropped."},
    {"sys/net/ipv4/tcp_abort_on_overflow",
     "halfopen_kernel_tcp_abort_on_overflow",
     "net.ipv4.tcp_abort_on_overflow: 1 resets connections the accept queue "
     "cannot take; 0 ignores their final ACK and lets the SYN-ACK timer "
     "retry."},
    {"sys/net/ipv4/tcp_syncookies", "halfopen_kernel_tcp_syncookies",
     "net.ipv4.tcp_syncookies: 0 off, 1 when the SYN queue overflows, 2 "
     "always."},
    {"sys/net/ipv4/tcp_max_syn_backlog", "halfopen_kernel_tcp_max_syn_backlog",
     "net.ipv4.tcp_max_syn_backlog: the SYN queue limit per listener."},
    {"sys/net/ipv4/tcp_fin_timeout", "halfopen_kernel_tcp_fin_timeout_seconds",
     "net.ipv4.tcp_fin_timeout: how long an orphaned connection stays in "
     "FIN_WAIT2."},
    {"sys/net/core/somaxconn", "halfopen_kernel_somaxconn",
     "net.core.somaxconn: the cap on every listener's accept-queue limit "
     "(listen() backlog)."},
};

using Values = std::map<std::string, double>;

void AddGauge(const std::string& name, const std::string& help, double value,
              std::vector<prometheus::MetricFamily>* out) {
  auto family = NewFamily(name, help, prometheus::MetricType::Gauge);
  AddSample(&family, {}, value);
  out->push_back(std::move(family));
}

std::optional<double> Get(const Values& values, const char* path) {
  auto it = values.find(path);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

void AddGiveUps(const Values& v, std::vector<prometheus::MetricFamily>* out) {
  const auto retries2 = Get(v, "sys/net/ipv4/tcp_retries2");
  if (retries2) {
    AddGauge("halfopen_kernel_retransmit_giveup_seconds",
             "How long the kernel retransmits to a silent peer before aborting "
             "an established connection, from tcp_retries2 (RTO from 200 ms "
             "doubling to 120 s). TCP_USER_TIMEOUT on a socket overrides it.",
             RetransmitGiveUpSeconds(static_cast<int>(*retries2)), out);
  }
  const auto time = Get(v, "sys/net/ipv4/tcp_keepalive_time");
  const auto intvl = Get(v, "sys/net/ipv4/tcp_keepalive_intvl");
  const auto probes = Get(v, "sys/net/ipv4/tcp_keepalive_probes");
  if (time && intvl && probes) {
    AddGauge("halfopen_kernel_keepalive_giveup_seconds",
             "How long an idle keepalive connection lives after its peer "
             "vanishes: keepalive_time + keepalive_intvl * keepalive_probes. "
             "Per-socket TCP_KEEP* options override it.",
             KeepaliveGiveUpSeconds(*time, *intvl, static_cast<int>(*probes)),
             out);
  }
  const auto synack = Get(v, "sys/net/ipv4/tcp_synack_retries");
  if (synack) {
    AddGauge("halfopen_kernel_synack_giveup_seconds",
             "How long a SYN_RECV request lives while its SYN-ACKs go "
             "unanswered, from tcp_synack_retries.",
             SynAckGiveUpSeconds(static_cast<int>(*synack)), out);
  }
  const auto syn = Get(v, "sys/net/ipv4/tcp_syn_retries");
  if (syn) {
    const auto linear = Get(v, "sys/net/ipv4/tcp_syn_linear_timeouts");
    AddGauge("halfopen_kernel_syn_giveup_seconds",
             "How long connect() waits for an answer to its SYN before "
             "failing, from tcp_syn_retries and tcp_syn_linear_timeouts.",
             SynGiveUpSeconds(static_cast<int>(*syn),
                              linear ? static_cast<int>(*linear) : 0),
             out);
  }
}

class TcpSettingsCollector : public Collector {
 public:
  explicit TcpSettingsCollector(std::string procfs)
      : reader_(std::move(procfs)) {}

  Status Collect(const Scrape&,
                 std::vector<prometheus::MetricFamily>* out) override {
    Values values;
    for (const auto& setting : kSettings) {
      std::optional<double> value;
      Status status = ReadSysctl(reader_, setting.path, &value);
      if (!status.ok()) return status;
      // A setting this kernel does not have is simply absent.
      if (!value) continue;
      values[setting.path] = *value;
      AddGauge(setting.metric, setting.help, *value, out);
    }
    AddGiveUps(values, out);
    return Status::Ok();
  }

 private:
  ProcfsReader reader_;
};

const bool kRegistered = CollectorCatalog::Global().Add({
    "tcpsettings",
    "TCP sysctls that decide when a dead peer is noticed, and the give-up "
    "times derived from them.",
    true,
    {},
    [](const CollectorContext& context,
       std::string*) -> std::unique_ptr<Collector> {
      return std::make_unique<TcpSettingsCollector>(context.procfs);
    },
});

}  // namespace
}  // namespace halfopen
