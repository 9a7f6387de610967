#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "prometheus/metric_family.h"

namespace halfopen {

/// What the human views (/status, --once) show, read back from one
/// collection's families by metric name and labels: the page and the shell
/// render the very series /metrics serves, never a collection of their own.
/// Label values are kept as the exposition has them ("8080", "other").

/// A network namespace the collection covered (halfopen_netns_info).
struct StatusNamespace {
  std::string netns;  ///< Its inode, the value of every series' netns label.
  std::string name, pod_uid, container_id, comm;
};

/// A process holding a listener's socket (halfopen_listen_process_info).
struct StatusProcess {
  std::string comm;
  std::string pid;
};

/// How much a counter rose lately.
struct StatusRise {
  double value = 0;    ///< The rise.
  double seconds = 0;  ///< Over how long: the window, or less when the
                       ///< exporter has not watched that long.
};

/// A listener: one socket or SO_REUSEPORT group, or the folded
/// port="other" series.
struct StatusListener {
  std::string netns;  ///< "" unless the series carry a netns label.
  std::string family, address, port, device;
  double queue_length = 0;
  double queue_limit = 0;
  double max_fill = 0;  ///< The fullest socket's length / (limit + 1).
  double sockets = 0;
  double syn_recv = 0;
  double syn_recv_retransmitting = 0;
  double orphaned_handshakes = 0;
  /// From the listener sampler; absent while it has not sampled.
  std::optional<double> full_seconds;
  std::optional<double> peak_length;
  /// Its exact drops (halfopen_listen_drops_total), absent when the kernel
  /// gives none, and their rise over the last minute, absent until two
  /// collections have been seen (CounterBaseline).
  std::optional<double> drops_total;
  std::optional<StatusRise> drops_recent;
  std::vector<StatusProcess> processes;
};

/// A Unix-domain listener: the sockets bound to one path with one type
/// (halfopen_unix_listen_*), or the folded path="other" series.
struct StatusUnixListener {
  std::string netns;  ///< "" unless the series carry a netns label.
  std::string path, type;
  double queue_length = 0;
  double queue_limit = 0;
  double max_fill = 0;  ///< The fullest socket's length / (limit + 1).
  double sockets = 0;
  /// From the listener sampler; absent while it has not sampled.
  std::optional<double> full_seconds;
  std::optional<double> peak_length;
  std::vector<StatusProcess> processes;
};

/// One of the top suspects (halfopen_suspect_*).
struct StatusSuspect {
  std::string netns;
  std::string reason, state, local_port, peer_port;
  std::string local_address, peer_address;  ///< "" unless exposed.
  double score = 0;
  double giveup_eta_seconds = 0;  ///< +Inf: the kernel never gives up.
  double connections = 1;
  std::optional<double> age_seconds;
};

/// A value of one namespace: a count, a sysctl, a give-up time.
struct StatusValue {
  std::string netns;
  std::string name;
  double value = 0;
};

/// A halfopen_netstat_* series and, for counters, how much it rose since
/// the exporter first saw it.
struct StatusCounter {
  std::string netns;
  std::string name;  ///< Without the halfopen_netstat_ prefix.
  double value = 0;
  std::optional<double> change;  ///< Counters only.
};

/// A collector's health in this collection.
struct StatusCollector {
  std::string name;
  bool ok = false;
  double duration_seconds = 0;
  double errors_total = 0;
};

struct StatusModel {
  std::string version, revision;
  /// Wall-clock time of the collection, and of the first collection this
  /// process made (the counters' baseline; 0 when there is none), in
  /// seconds since the Unix epoch. Nothing older was seen: a suspect whose
  /// age reaches back to the first collection may be older still.
  double collected_unix_seconds = 0;
  double baseline_unix_seconds = 0;
  /// True when the series carry a netns label (--netns.scope=all).
  bool per_namespace = false;
  std::vector<StatusNamespace> namespaces;
  std::vector<StatusListener> listeners;           ///< Fullest first.
  std::vector<StatusUnixListener> unix_listeners;  ///< Fullest first.
  std::vector<StatusSuspect> suspects;             ///< Highest score first.
  std::vector<StatusValue> suspect_counts;         ///< By reason (name).
  std::vector<StatusValue> idle_unprotected;
  std::vector<StatusValue> settings;  ///< Sysctls, e.g. tcp_retries2.
  std::vector<StatusValue> giveups;   ///< e.g. retransmit_giveup_seconds.
  std::vector<StatusCounter> counters;
  std::vector<StatusCollector> collectors;
};

/// The first value the exporter saw of every netstat counter, so that the
/// views can say how much each rose since the exporter started, and when
/// that was; and the recent values of each listener's drops, so that they
/// can say how many it dropped in the last minute. The first collection sets
/// it (whichever path asked for it); a counter first seen later, say in a
/// namespace that appeared since, starts from then. Lives as long as the
/// process: a restart resets it. Thread-safe.
class CounterBaseline {
 public:
  /// How far back RecentRise looks.
  static constexpr double kRecentWindowSeconds = 60;

  /// Remembers every netstat counter in `families` not seen before, the
  /// listeners' drops as they are now, and the time of the first collection
  /// observed.
  void Observe(const std::vector<prometheus::MetricFamily>& families,
               double now_unix_seconds);

  /// The rise of the windowed series `key` (StatusSeriesKey) to `value` at
  /// `now_unix_seconds` since the last observation at least the window
  /// before, or since the oldest one when there is none that old; nullopt
  /// when none was observed before now. A series that went down was reset
  /// and counts from 0.
  std::optional<StatusRise> RecentRise(const std::string& key, double value,
                                       double now_unix_seconds) const;

  /// The rise of the series `key` (StatusSeriesKey) to `value`; nullopt when
  /// it was never observed. A counter below its first value was reset (its
  /// namespace was made anew) and counts from 0.
  std::optional<double> Change(const std::string& key, double value) const;

  /// When the first collection was observed; 0 before that.
  double since_unix_seconds() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, double> first_;
  // Windowed series: (time, value), oldest first, as far back as one
  // observation older than the window.
  std::map<std::string, std::deque<std::pair<double, double>>> recent_;
  double since_ = 0;
};

/// A series' identity: its name and its labels as name=value pairs.
std::string StatusSeriesKey(const std::string& name,
                            const prometheus::ClientMetric& metric);

/// The model of one collection. `baseline` may be null (no changes then).
StatusModel BuildStatusModel(
    const std::vector<prometheus::MetricFamily>& families,
    double collected_unix_seconds, const CounterBaseline* baseline);

}  // namespace halfopen
