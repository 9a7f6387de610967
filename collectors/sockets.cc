#include <string>
#include <vector>

#include "collectors/each_netns.h"
#include "engine/collector.h"
#include "engine/family.h"
#include "sources/sources.h"

namespace halfopen {
namespace {

template <std::size_t N>
void AddDistribution(FamilyList* families, const std::string& name,
                     const std::string& help, const LabelPairs& labels,
                     const std::string& label,
                     const std::array<std::uint64_t, N>& counts,
                     const char* (*bucket_name)(std::size_t),
                     std::size_t first = 0) {
  auto& family = families->Get(name, help, prometheus::MetricType::Gauge);
  for (std::size_t i = first; i < N; ++i) {
    AddSample(&family, Join(labels, {{label, bucket_name(i)}}),
              static_cast<double>(counts[i]));
  }
}

class SocketsCollector : public Collector {
 public:
  explicit SocketsCollector(std::shared_ptr<Sources> sources)
      : sources_(std::move(sources)) {}

  Status Collect(const Scrape& scrape,
                 std::vector<prometheus::MetricFamily>* out) override {
    FamilyList families;
    // Parse errors are counted even when the dump failed half-way.
    auto& errors = families.Get("halfopen_sockdiag_parse_errors_total",
                                "Malformed inet_diag messages skipped (the "
                                "rest of the dump was used).",
                                prometheus::MetricType::Counter);
    Status status = ForEachWalk(
        *sources_, scrape,
        [&](const NamespaceWalk& walk, const LabelPairs& labels) {
          AddSample(
              &errors, labels,
              static_cast<double>(walk.netns->walker.parse_errors_total()));
          if (!walk.walk->status.ok()) return walk.walk->status;
          // A namespace never walked yet: its counts would be listeners
          // only. Its series come with its first full walk.
          if (walk.walk->connections_unknown) return Status::Ok();
          Render(*walk.walk, labels, &families);
          return Status::Ok();
        });
    families.MoveTo(out);
    return status;
  }

 private:
  static void Render(const SocketWalk& walk, const LabelPairs& labels,
                     FamilyList* families) {
    const SocketStats& stats = walk.stats;
    // State index 0 ("other") goes last so the known states read in order.
    const std::string states = "halfopen_tcp_connections";
    const std::string states_help =
        "TCP sockets per state (lowercase kernel names); handshakes waiting "
        "in a listener's SYN queue count as syn_recv.";
    AddDistribution(families, states, states_help, labels, "state",
                    stats.states, StateLabel, 1);
    AddSample(
        &families->Get(states, states_help, prometheus::MetricType::Gauge),
        Join(labels, {{"state", "other"}}),
        static_cast<double>(stats.states[0]));
    AddDistribution(
        families, "halfopen_tcp_timers",
        "TCP sockets per active timer: none, retransmit (data or SYN-ACK "
        "unacknowledged), keepalive, persist (zero-window probe), time_wait, "
        "other.",
        labels, "timer", stats.timers, TimerLabel);
    AddDistribution(
        families, "halfopen_tcp_connections_by_retransmits",
        "Connections with consecutive retransmission timeouts and no progress "
        "(tcpi_retransmits), by how many: 1, 2, 3, 4-7, 8+.",
        labels, "retransmits", stats.retransmits, CountBucketLabel);
    AddDistribution(
        families, "halfopen_tcp_connections_by_probes",
        "Connections with unanswered keepalive or zero-window probes "
        "(tcpi_probes), by how many: 1, 2, 3, 4-7, 8+.",
        labels, "probes", stats.probes, CountBucketLabel);
    AddSample(&families->Get("halfopen_sockdiag_sockets_scanned",
                             "Sockets seen in the last inet_diag dump.",
                             prometheus::MetricType::Gauge),
              labels, static_cast<double>(stats.scanned));
    AddSample(&families->Get("halfopen_sockdiag_dump_duration_seconds",
                             "How long the last inet_diag dump took, decoding "
                             "and aggregation included.",
                             prometheus::MetricType::Gauge),
              labels, walk.duration_seconds);
    AddSample(
        &families->Get(
            "halfopen_sockdiag_connections_age_seconds",
            "Seconds since the namespace's connections were last walked: 0 "
            "when in this scrape, more when its full walk was put off to a "
            "later scrape because the scrape's time was short "
            "(--netns.scope=all; its listeners are always fresh).",
            prometheus::MetricType::Gauge),
        labels, walk.connections_age_seconds);
  }

  const std::shared_ptr<Sources> sources_;
};

// The walk's flags live here, with the collector named after it; they
// configure the one walk that listeners and halfopen read too.
const bool kRegistered =
    CollectorCatalog::Global().Add(DefineCollector<NoOptions>(
        "sockets",
        "TCP sockets per state and timer, from one netlink inet_diag dump per "
        "scrape.",
        true,
        [](FlagSet* flags, SourceOptions* sources, NoOptions*) {
          flags->Checked(
              "collector.sockets.request",
              "How to ask the kernel: legacy (one TCPDIAG_GETSOCK walk for "
              "both families, faster) or per-family (SOCK_DIAG_BY_FAMILY "
              "twice).",
              &sources->request, [](const std::string& value) {
                return value == "legacy" || value == "per-family"
                           ? ""
                           : "want legacy or per-family";
              });
          flags->String("collector.sockets.replay",
                        "Read the socket table from a recording made with "
                        "halfopen_diag_dump --record instead of the kernel "
                        "(for reproducing a report).",
                        &sources->replay);
        },
        [](const NoOptions&, std::shared_ptr<Sources> sources) {
          return std::make_unique<SocketsCollector>(std::move(sources));
        }));

}  // namespace
}  // namespace halfopen
