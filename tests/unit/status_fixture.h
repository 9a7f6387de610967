#pragma once

#include <limits>
#include <string>
#include <vector>

#include "engine/family.h"
#include "prometheus/metric_family.h"

namespace halfopen {

/// Families as the collectors render them, built series by series for the
/// status views' tests.
class FamilyBuilder {
 public:
  FamilyBuilder& Gauge(const std::string& name, const LabelPairs& labels,
                       double value) {
    return Add(name, prometheus::MetricType::Gauge, labels, value);
  }
  FamilyBuilder& Counter(const std::string& name, const LabelPairs& labels,
                         double value) {
    return Add(name, prometheus::MetricType::Counter, labels, value);
  }
  const std::vector<prometheus::MetricFamily>& families() const {
    return families_;
  }

 private:
  FamilyBuilder& Add(const std::string& name, prometheus::MetricType type,
                     const LabelPairs& labels, double value) {
    if (families_.empty() || families_.back().name != name) {
      families_.push_back(NewFamily(name, "help", type));
    }
    AddSample(&families_.back(), labels, value);
    return *this;
  }

  std::vector<prometheus::MetricFamily> families_;
};

/// One collection of a host in its own namespace: a full listener on
/// 127.0.0.1:8080 held by "<b>x" (pid 42) that has dropped `drops`
/// connection attempts, an idle one on [::]:443 that the sampler saw full for
/// 2.5 s and that dropped none, two suspects, settings, two netstat series
/// and two collectors, sockets failed.
inline FamilyBuilder HostCollection(double listen_overflows = 15,
                                    double drops = 40) {
  const LabelPairs full = {
      {"family", "ipv4"}, {"address", "127.0.0.1"}, {"port", "8080"}};
  const LabelPairs idle = {
      {"family", "ipv6"}, {"address", "::"}, {"port", "443"}};
  const LabelPairs stalled = {{"reason", "retransmit_stall"},
                              {"state", "established"},
                              {"local_port", "52014"},
                              {"peer_port", "8443"}};
  const LabelPairs missing = {{"reason", "peer_missing"},
                              {"state", "established"},
                              {"local_port", "40000"},
                              {"peer_port", "8080"}};
  FamilyBuilder b;
  b.Gauge("halfopen_listen_queue_length", idle, 0)
      .Gauge("halfopen_listen_queue_length", full, 3)
      .Gauge("halfopen_listen_queue_limit", idle, 128)
      .Gauge("halfopen_listen_queue_limit", full, 2)
      .Gauge("halfopen_listen_queue_max_fill_ratio", idle, 0)
      .Gauge("halfopen_listen_queue_max_fill_ratio", full, 1)
      .Gauge("halfopen_listen_sockets", idle, 1)
      .Gauge("halfopen_listen_sockets", full, 1)
      .Gauge("halfopen_listen_syn_recv", full, 2)
      .Gauge("halfopen_listen_syn_recv_retransmitting", full, 2)
      .Gauge("halfopen_listen_orphaned_handshakes", full, 1)
      .Gauge("halfopen_listen_process_info",
             {{"family", "ipv4"},
              {"address", "127.0.0.1"},
              {"port", "8080"},
              {"comm", "<b>x"},
              {"pid", "42"}},
             1)
      .Counter("halfopen_listen_queue_full_seconds_total", idle, 2.5)
      .Gauge("halfopen_listen_queue_peak_length", idle, 129)
      .Counter("halfopen_listen_drops_total", idle, 0)
      .Counter("halfopen_listen_drops_total", full, drops)
      .Gauge("halfopen_suspects", {{"reason", "retransmit_stall"}}, 1)
      .Gauge("halfopen_suspects", {{"reason", "peer_missing"}}, 3)
      .Gauge("halfopen_suspect_score", missing, 0.9)
      .Gauge("halfopen_suspect_score", stalled, 0.92)
      .Gauge("halfopen_suspect_giveup_eta_seconds", missing,
             std::numeric_limits<double>::infinity())
      .Gauge("halfopen_suspect_giveup_eta_seconds", stalled, 16.6)
      .Gauge("halfopen_suspect_connections", missing, 3)
      .Gauge("halfopen_suspect_connections", stalled, 1)
      .Gauge("halfopen_suspect_age_seconds", missing, 125)
      .Gauge("halfopen_suspect_age_seconds", stalled, 9)
      .Gauge("halfopen_idle_unprotected_connections", {}, 4)
      .Gauge("halfopen_kernel_tcp_retries2", {}, 15)
      .Gauge("halfopen_kernel_retransmit_giveup_seconds", {}, 924.6)
      .Counter("halfopen_netstat_listen_overflows_total", {}, listen_overflows)
      .Gauge("halfopen_netstat_curr_estab", {}, 12)
      .Gauge("halfopen_scrape_collector_success", {{"collector", "listeners"}},
             1)
      .Gauge("halfopen_scrape_collector_success", {{"collector", "sockets"}}, 0)
      .Gauge("halfopen_scrape_collector_duration_seconds",
             {{"collector", "listeners"}}, 0.004)
      .Gauge("halfopen_scrape_collector_duration_seconds",
             {{"collector", "sockets"}}, 0.001)
      .Counter("halfopen_scrape_collector_errors_total",
               {{"collector", "listeners"}}, 0)
      .Counter("halfopen_scrape_collector_errors_total",
               {{"collector", "sockets"}}, 2)
      .Gauge("halfopen_build_info",
             {{"version", "0.1.0"}, {"revision", "abc123"}}, 1);
  return b;
}

}  // namespace halfopen
