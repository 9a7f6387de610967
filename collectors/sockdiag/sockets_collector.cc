#include <string>
#include <vector>

#include "collectors/collector.h"
#include "collectors/family.h"
#include "collectors/sockdiag/socket_walker.h"

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
  explicit SocketsCollector(std::shared_ptr<SocketWalker> walker)
      : walker_(std::move(walker)) {}

  Status Collect(const Scrape& scrape,
                 std::vector<prometheus::MetricFamily>* out) override {
    const auto walk = walker_->ForScrape(scrape);
    // Parse errors are counted even when the dump failed half-way.
    auto errors = NewFamily("halfopen_sockdiag_parse_errors_total",
                            "Malformed inet_diag messages skipped (the rest "
                            "of the dump was used).",
                            prometheus::MetricType::Counter);
    AddSample(&errors, {}, static_cast<double>(walker_->parse_errors_total()));
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
  std::shared_ptr<SocketWalker> walker_;
};

const bool kRegistered = CollectorCatalog::Global().Add({
    "sockets",
    "TCP sockets per state and timer, from one netlink inet_diag dump per "
    "scrape.",
    true,
    {{"collector.sockets.request",
      "How to ask the kernel: legacy (one TCPDIAG_GETSOCK walk for both "
      "families, faster) or per-family (SOCK_DIAG_BY_FAMILY twice).",
      "legacy"},
     {"collector.sockets.replay",
      "Read the socket table from a recording made with halfopen_diag_dump "
      "--record instead of the kernel (for reproducing a report).",
      ""}},
    [](const CollectorContext& context,
       std::string* error) -> std::unique_ptr<Collector> {
      const std::string request =
          context.Flag("collector.sockets.request", "legacy");
      if (request != "legacy" && request != "per-family") {
        *error = "invalid value \"" + request +
                 "\" for flag --collector.sockets.request: want legacy or "
                 "per-family";
        return nullptr;
      }
      return std::make_unique<SocketsCollector>(SocketWalker::Shared(context));
    },
});

}  // namespace
}  // namespace halfopen
