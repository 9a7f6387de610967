#include <string>
#include <vector>

#include "collectors/sources.h"
#include "engine/collector.h"
#include "engine/family.h"

namespace halfopen {
namespace {

template <std::size_t N>
prometheus::MetricFamily Distribution(
    const std::string& name, const std::string& help, const std::string& label,
    const std::array<std::uint64_t, N>& counts,
    const char* (*bucket_name)(std::size_t), std::size_t first = 0) {
  auto family = NewFamily(name, help, prometheus::MetricType::Gauge);
  for (std::size_t i = first; i < N; ++i) {
    AddSample(&family, {{label, bucket_name(i)}},
              static_cast<double>(counts[i]));
  }
  return family;
}

class SocketsCollector : public Collector {
 public:
  explicit SocketsCollector(std::shared_ptr<Sources> sources)
      : sources_(std::move(sources)) {}

  Status Collect(const Scrape& scrape,
                 std::vector<prometheus::MetricFamily>* out) override {
    SocketWalker& walker = sources_->walker();
    const auto walk = walker.ForScrape(scrape.id);
    // Parse errors are counted even when the dump failed half-way.
    auto errors = NewFamily("halfopen_sockdiag_parse_errors_total",
                            "Malformed inet_diag messages skipped (the rest "
                            "of the dump was used).",
                            prometheus::MetricType::Counter);
    AddSample(&errors, {}, static_cast<double>(walker.parse_errors_total()));
    out->push_back(std::move(errors));
    if (!walk->status.ok()) return walk->status;
    const SocketStats& stats = walk->stats;
    // State index 0 ("other") goes last so the known states read in order.
    auto states = Distribution(
        "halfopen_tcp_connections",
        "TCP sockets per state (lowercase kernel names); handshakes waiting "
        "in a listener's SYN queue count as syn_recv.",
        "state", stats.states, StateLabel, 1);
    AddSample(&states, {{"state", "other"}},
              static_cast<double>(stats.states[0]));
    out->push_back(std::move(states));
    out->push_back(Distribution(
        "halfopen_tcp_timers",
        "TCP sockets per active timer: none, retransmit (data or SYN-ACK "
        "unacknowledged), keepalive, persist (zero-window probe), time_wait, "
        "other.",
        "timer", stats.timers, TimerLabel));
    out->push_back(Distribution(
        "halfopen_tcp_connections_by_retransmits",
        "Connections with consecutive retransmission timeouts and no progress "
        "(tcpi_retransmits), by how many: 1, 2, 3, 4-7, 8+.",
        "retransmits", stats.retransmits, CountBucketLabel));
    out->push_back(Distribution(
        "halfopen_tcp_connections_by_probes",
        "Connections with unanswered keepalive or zero-window probes "
        "(tcpi_probes), by how many: 1, 2, 3, 4-7, 8+.",
        "probes", stats.probes, CountBucketLabel));
    auto scanned = NewFamily("halfopen_sockdiag_sockets_scanned",
                             "Sockets seen in the last inet_diag dump.",
                             prometheus::MetricType::Gauge);
    AddSample(&scanned, {}, static_cast<double>(stats.scanned));
    out->push_back(std::move(scanned));
    auto duration = NewFamily(
        "halfopen_sockdiag_dump_duration_seconds",
        "How long the last inet_diag dump took, decoding and aggregation "
        "included.",
        prometheus::MetricType::Gauge);
    AddSample(&duration, {}, walk->duration_seconds);
    out->push_back(std::move(duration));
    return Status::Ok();
  }

 private:
  const std::shared_ptr<Sources> sources_;
};

// The walk's flags live here, with the collector named after it; they
// configure the one walk that listeners and halfopen read too.
const bool kRegistered = CollectorCatalog::Global().Add(
    DefineCollector<NoOptions>(
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
