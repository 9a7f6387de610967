#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "collectors/each_netns.h"
#include "engine/collector.h"
#include "engine/family.h"
#include "engine/log.h"
#include "model/giveup.h"
#include "sources/sources.h"
#include "sources/sysctls.h"

namespace halfopen {
namespace {

// "tcp_retries2" for "sys/net/ipv4/tcp_retries2".
std::string SysctlName(Sysctl sysctl) {
  const std::string path = SysctlPath(sysctl);
  return path.substr(path.rfind('/') + 1);
}

struct Setting {
  Sysctl sysctl;
  const char* metric;  // full metric name
  const char* help;
};

// Each value is exported as it is, in base units (seconds where the sysctl
// is in seconds).
const Setting kSettings[] = {
    {Sysctl::kKeepaliveTime, "halfopen_kernel_tcp_keepalive_time_seconds",
     "net.ipv4.tcp_keepalive_time: idle time before the first keepalive "
     "probe."},
    {Sysctl::kKeepaliveIntvl, "halfopen_kernel_tcp_keepalive_intvl_seconds",
     "net.ipv4.tcp_keepalive_intvl: time between keepalive probes."},
    {Sysctl::kKeepaliveProbes, "halfopen_kernel_tcp_keepalive_probes",
     "net.ipv4.tcp_keepalive_probes: unanswered probes before giving up."},
    {Sysctl::kRetries1, "halfopen_kernel_tcp_retries1",
     "net.ipv4.tcp_retries1: retransmissions before asking the network layer "
     "to re-check the route."},
    {Sysctl::kRetries2, "halfopen_kernel_tcp_retries2",
     "net.ipv4.tcp_retries2: retransmissions (as a time budget) before an "
     "established connection is aborted."},
    {Sysctl::kSynRetries, "halfopen_kernel_tcp_syn_retries",
     "net.ipv4.tcp_syn_retries: SYN retransmissions before connect() fails."},
    {Sysctl::kSynLinearTimeouts, "halfopen_kernel_tcp_syn_linear_timeouts",
     "net.ipv4.tcp_syn_linear_timeouts (Linux 6.5+): SYN retransmissions at a "
     "fixed 1 s interval before the interval starts doubling."},
    {Sysctl::kSynackRetries, "halfopen_kernel_tcp_synack_retries",
     "net.ipv4.tcp_synack_retries: SYN-ACK retransmissions before a SYN_RECV "
     "request is dropped."},
    {Sysctl::kAbortOnOverflow, "halfopen_kernel_tcp_abort_on_overflow",
     "net.ipv4.tcp_abort_on_overflow: 1 resets connections the accept queue "
     "cannot take; 0 ignores their final ACK and lets the SYN-ACK timer "
     "retry."},
    {Sysctl::kSyncookies, "halfopen_kernel_tcp_syncookies",
     "net.ipv4.tcp_syncookies: 0 off, 1 when the SYN queue overflows, 2 "
     "always."},
    {Sysctl::kMaxSynBacklog, "halfopen_kernel_tcp_max_syn_backlog",
     "net.ipv4.tcp_max_syn_backlog: the SYN queue limit per listener."},
    {Sysctl::kFinTimeout, "halfopen_kernel_tcp_fin_timeout_seconds",
     "net.ipv4.tcp_fin_timeout: how long an orphaned connection stays in "
     "FIN_WAIT2."},
    {Sysctl::kSomaxconn, "halfopen_kernel_somaxconn",
     "net.core.somaxconn: the cap on every listener's accept-queue limit "
     "(listen() backlog)."},
};

// One namespace's families, labelled with its labels.
struct Out {
  FamilyList* families;
  const LabelPairs& labels;
};

void AddGauge(const std::string& name, const std::string& help, double value,
              const Out& out) {
  AddSample(&out.families->Get(name, help, prometheus::MetricType::Gauge),
            out.labels, value);
}

int AsInt(double value) { return static_cast<int>(value); }

struct GiveUp {
  const char* metric;
  const char* help;
  // Nullopt when a sysctl it needs is missing.
  std::optional<double> (*seconds)(const SysctlSnapshot&);
};

// The kernel's give-up times, derived from the settings above.
const GiveUp kGiveUps[] = {
    {"halfopen_kernel_retransmit_giveup_seconds",
     "How long the kernel retransmits to a silent peer before aborting an "
     "established connection, from tcp_retries2 (RTO from 200 ms doubling to "
     "120 s). TCP_USER_TIMEOUT on a socket overrides it.",
     [](const SysctlSnapshot& v) -> std::optional<double> {
       const auto retries2 = v.Get(Sysctl::kRetries2);
       if (!retries2) return std::nullopt;
       return RetransmitGiveUpSeconds(AsInt(*retries2));
     }},
    {"halfopen_kernel_keepalive_giveup_seconds",
     "How long an idle keepalive connection lives after its peer vanishes: "
     "keepalive_time + keepalive_intvl * keepalive_probes. Per-socket "
     "TCP_KEEP* options override it.",
     [](const SysctlSnapshot& v) -> std::optional<double> {
       const auto time = v.Get(Sysctl::kKeepaliveTime);
       const auto intvl = v.Get(Sysctl::kKeepaliveIntvl);
       const auto probes = v.Get(Sysctl::kKeepaliveProbes);
       if (!time || !intvl || !probes) return std::nullopt;
       return KeepaliveGiveUpSeconds(*time, *intvl, AsInt(*probes));
     }},
    {"halfopen_kernel_synack_giveup_seconds",
     "How long a SYN_RECV request lives while its SYN-ACKs go unanswered, "
     "from tcp_synack_retries.",
     [](const SysctlSnapshot& v) -> std::optional<double> {
       const auto synack = v.Get(Sysctl::kSynackRetries);
       if (!synack) return std::nullopt;
       return SynAckGiveUpSeconds(AsInt(*synack));
     }},
    {"halfopen_kernel_syn_giveup_seconds",
     "How long connect() waits for an answer to its SYN before failing, from "
     "tcp_syn_retries and tcp_syn_linear_timeouts.",
     [](const SysctlSnapshot& v) -> std::optional<double> {
       const auto syn = v.Get(Sysctl::kSynRetries);
       if (!syn) return std::nullopt;
       const auto linear = v.Get(Sysctl::kSynLinearTimeouts);
       return SynGiveUpSeconds(AsInt(*syn), linear ? AsInt(*linear) : 0);
     }},
};

class TcpSettingsCollector : public Collector {
 public:
  explicit TcpSettingsCollector(std::shared_ptr<Sources> sources)
      : sources_(std::move(sources)) {}

  Status Collect(const Scrape& scrape,
                 std::vector<prometheus::MetricFamily>* out) override {
    FamilyList families;
    Status status = ForEachNamespace(
        *sources_, scrape, [&](Netns& netns, const LabelPairs& labels) {
          const auto snapshot = netns.sysctls.ForScrape(scrape.id);
          Status read = snapshot->FirstError();
          if (!read.ok()) return read;
          bool found_any = false;
          for (const auto& value : snapshot->values) {
            found_any |= value.has_value();
          }
          if (!found_any) {
            // Silence would read as success: the failing-collector alert
            // must fire when --path.procfs points at nothing.
            return Status::Error("no TCP sysctl found under " +
                                 netns.io->sys().PathOf("sys/net") +
                                 " (is --path.procfs a procfs mount?)");
          }
          const Out to{&families, labels};
          std::string missing;
          for (const auto& setting : kSettings) {
            // A setting this kernel does not have is simply absent.
            if (const auto value = snapshot->Get(setting.sysctl)) {
              AddGauge(setting.metric, setting.help, *value, to);
            } else {
              missing +=
                  (missing.empty() ? "" : ",") + SysctlName(setting.sysctl);
            }
          }
          NoteMissing(missing, netns);
          for (const auto& giveup : kGiveUps) {
            if (const auto seconds = giveup.seconds(*snapshot)) {
              AddGauge(giveup.metric, giveup.help, *seconds, to);
            }
          }
          return Status::Ok();
        });
    if (status.ok()) families.MoveTo(out);
    return status;
  }

 private:
  // Says once, for the first namespace, which settings this kernel lacks
  // (e.g. tcp_syn_linear_timeouts before Linux 6.5): their series are
  // absent, and the give-up times use what such a kernel does.
  void NoteMissing(const std::string& missing, Netns& netns) {
    if (missing.empty() || noted_missing_.exchange(true)) return;
    Log(spdlog::level::info, "kernel lacks some TCP settings",
        {{"sysctls", missing},
         {"under", netns.io->sys().PathOf("sys/net")},
         {"effect", "their series are absent"}});
  }

  const std::shared_ptr<Sources> sources_;
  std::atomic<bool> noted_missing_{false};
};

const bool kRegistered =
    CollectorCatalog::Global().Add(DefineCollector<NoOptions>(
        "tcpsettings",
        "TCP sysctls that decide when a dead peer is noticed, and the give-up "
        "times derived from them.",
        true, nullptr, [](const NoOptions&, std::shared_ptr<Sources> sources) {
          return std::make_unique<TcpSettingsCollector>(std::move(sources));
        }));

}  // namespace
}  // namespace halfopen
