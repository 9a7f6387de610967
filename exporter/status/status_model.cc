#include "status/status_model.h"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <string_view>
#include <tuple>

namespace halfopen {
namespace {

constexpr std::string_view kNetstatPrefix = "halfopen_netstat_";
constexpr std::string_view kKernelPrefix = "halfopen_kernel_";
constexpr std::string_view kGiveupSuffix = "_giveup_seconds";

bool IsNetstatCounter(const prometheus::MetricFamily& family) {
  return family.type == prometheus::MetricType::Counter &&
         family.name.starts_with(kNetstatPrefix);
}

double Value(const prometheus::MetricFamily& family,
             const prometheus::ClientMetric& metric) {
  switch (family.type) {
    case prometheus::MetricType::Counter:
      return metric.counter.value;
    case prometheus::MetricType::Gauge:
      return metric.gauge.value;
    default:
      return metric.untyped.value;
  }
}

std::string Label(const prometheus::ClientMetric& metric,
                  std::string_view name) {
  for (const auto& label : metric.label) {
    if (label.name == name) return label.value;
  }
  return "";
}

// The series' labels but `skip`, as a key: what names one listener or
// suspect across the families that describe it.
std::string KeyWithout(const prometheus::ClientMetric& metric,
                       std::initializer_list<std::string_view> skip) {
  std::string key;
  for (const auto& label : metric.label) {
    if (std::find(skip.begin(), skip.end(), label.name) != skip.end()) {
      continue;
    }
    key += label.name + "=" + label.value + ",";
  }
  return key;
}

// A port label as a number for sorting; "other" after every port.
int PortOrder(const std::string& port) {
  int number = 0;
  const auto [end, error] =
      std::from_chars(port.data(), port.data() + port.size(), number);
  return error == std::errc() && end == port.data() + port.size() ? number
                                                                  : 1 << 17;
}

// Fullest first, then those with handshakes in trouble; ties by port.
auto Rank(const StatusListener& l) {
  return std::make_tuple(-l.max_fill, -l.orphaned_handshakes,
                         -l.syn_recv_retransmitting, -l.syn_recv,
                         -l.queue_length, l.netns, PortOrder(l.port), l.address,
                         l.device);
}

template <typename Field>
struct FieldOf {
  std::string_view metric;
  Field field;
};

constexpr FieldOf<double StatusListener::*> kListenerFields[] = {
    {"halfopen_listen_queue_length", &StatusListener::queue_length},
    {"halfopen_listen_queue_limit", &StatusListener::queue_limit},
    {"halfopen_listen_queue_max_fill_ratio", &StatusListener::max_fill},
    {"halfopen_listen_sockets", &StatusListener::sockets},
    {"halfopen_listen_syn_recv", &StatusListener::syn_recv},
    {"halfopen_listen_syn_recv_retransmitting",
     &StatusListener::syn_recv_retransmitting},
    {"halfopen_listen_orphaned_handshakes",
     &StatusListener::orphaned_handshakes}};
constexpr FieldOf<std::optional<double> StatusListener::*> kSampledFields[] = {
    {"halfopen_listen_queue_full_seconds_total", &StatusListener::full_seconds},
    {"halfopen_listen_queue_peak_length", &StatusListener::peak_length},
    {"halfopen_listen_overflows_estimated_total",
     &StatusListener::overflows_estimated}};
constexpr FieldOf<double StatusSuspect::*> kSuspectFields[] = {
    {"halfopen_suspect_score", &StatusSuspect::score},
    {"halfopen_suspect_giveup_eta_seconds", &StatusSuspect::giveup_eta_seconds},
    {"halfopen_suspect_connections", &StatusSuspect::connections}};
constexpr std::string_view kSuspectAge = "halfopen_suspect_age_seconds";

template <typename Field>
const FieldOf<Field>* Find(const auto& table, std::string_view metric) {
  for (const FieldOf<Field>& entry : table) {
    if (entry.metric == metric) return &entry;
  }
  return nullptr;
}

// Fills a model family by family; each family's series find their listener,
// suspect or collector by their labels.
class Builder {
 public:
  Builder(double collected_unix_seconds, const CounterBaseline* baseline)
      : baseline_(baseline) {
    model_.collected_unix_seconds = collected_unix_seconds;
    if (baseline != nullptr) {
      model_.baseline_unix_seconds = baseline->since_unix_seconds();
    }
  }

  void Add(const prometheus::MetricFamily& family) {
    // halfopen_netns_info names the exporter's own namespace too; only
    // --netns.scope=all puts a netns label on everything else.
    const bool info = family.name == "halfopen_netns_info";
    for (const auto& metric : family.metric) {
      if (!info && !Label(metric, "netns").empty()) {
        model_.per_namespace = true;
      }
      AddSeries(family, metric, Value(family, metric));
    }
  }

  StatusModel Finish() {
    std::stable_sort(model_.listeners.begin(), model_.listeners.end(),
                     [](const StatusListener& a, const StatusListener& b) {
                       return Rank(a) < Rank(b);
                     });
    std::stable_sort(model_.suspects.begin(), model_.suspects.end(),
                     [](const StatusSuspect& a, const StatusSuspect& b) {
                       return std::tie(b.score, a.giveup_eta_seconds) <
                              std::tie(a.score, b.giveup_eta_seconds);
                     });
    return std::move(model_);
  }

 private:
  void AddSeries(const prometheus::MetricFamily& family,
                 const prometheus::ClientMetric& metric, double value) {
    const std::string& name = family.name;
    const std::string netns = Label(metric, "netns");
    if (const auto* entry =
            Find<double StatusListener::*>(kListenerFields, name)) {
      Listener(metric).*(entry->field) = value;
    } else if (const auto* sampled =
                   Find<std::optional<double> StatusListener::*>(kSampledFields,
                                                                 name)) {
      Listener(metric).*(sampled->field) = value;
    } else if (name == "halfopen_listen_process_info") {
      Listener(metric).processes.push_back(
          {Label(metric, "comm"), Label(metric, "pid")});
    } else if (const auto* field =
                   Find<double StatusSuspect::*>(kSuspectFields, name)) {
      Suspect(metric).*(field->field) = value;
    } else if (name == kSuspectAge) {
      Suspect(metric).age_seconds = value;
    } else if (name == "halfopen_suspects") {
      model_.suspect_counts.push_back({netns, Label(metric, "reason"), value});
    } else if (name == "halfopen_idle_unprotected_connections") {
      model_.idle_unprotected.push_back({netns, "", value});
    } else if (name.starts_with(kNetstatPrefix)) {
      StatusCounter counter{netns, name.substr(kNetstatPrefix.size()), value,
                            std::nullopt};
      if (IsNetstatCounter(family) && baseline_ != nullptr) {
        counter.change =
            baseline_->Change(StatusSeriesKey(name, metric), value);
      }
      model_.counters.push_back(std::move(counter));
    } else if (name.starts_with(kKernelPrefix)) {
      StatusValue setting{netns, name.substr(kKernelPrefix.size()), value};
      (name.ends_with(kGiveupSuffix) ? model_.giveups : model_.settings)
          .push_back(std::move(setting));
    } else {
      AddExporterSeries(name, metric, value);
    }
  }

  void AddExporterSeries(const std::string& name,
                         const prometheus::ClientMetric& metric, double value) {
    if (name == "halfopen_scrape_collector_success") {
      Collector(metric).ok = value == 1;
    } else if (name == "halfopen_scrape_collector_duration_seconds") {
      Collector(metric).duration_seconds = value;
    } else if (name == "halfopen_scrape_collector_errors_total") {
      Collector(metric).errors_total = value;
    } else if (name == "halfopen_build_info") {
      model_.version = Label(metric, "version");
      model_.revision = Label(metric, "revision");
    } else if (name == "halfopen_netns_info") {
      model_.namespaces.push_back(
          {Label(metric, "netns"), Label(metric, "name"),
           Label(metric, "pod_uid"), Label(metric, "container_id"),
           Label(metric, "comm")});
    }
  }

  template <typename Item>
  static Item& FindOrAdd(std::vector<Item>* items,
                         std::map<std::string, std::size_t>* index,
                         const std::string& key, bool* added) {
    const auto [it, inserted] = index->try_emplace(key, items->size());
    if (inserted) items->emplace_back();
    *added = inserted;
    return (*items)[it->second];
  }

  StatusListener& Listener(const prometheus::ClientMetric& metric) {
    bool added = false;
    StatusListener& listener =
        FindOrAdd(&model_.listeners, &listeners_,
                  KeyWithout(metric, {"comm", "pid"}), &added);
    if (added) {
      listener.netns = Label(metric, "netns");
      listener.family = Label(metric, "family");
      listener.address = Label(metric, "address");
      listener.port = Label(metric, "port");
      listener.device = Label(metric, "device");
    }
    return listener;
  }

  StatusSuspect& Suspect(const prometheus::ClientMetric& metric) {
    bool added = false;
    StatusSuspect& suspect =
        FindOrAdd(&model_.suspects, &suspects_, KeyWithout(metric, {}), &added);
    if (added) {
      suspect.netns = Label(metric, "netns");
      suspect.reason = Label(metric, "reason");
      suspect.state = Label(metric, "state");
      suspect.local_port = Label(metric, "local_port");
      suspect.peer_port = Label(metric, "peer_port");
      suspect.local_address = Label(metric, "local_address");
      suspect.peer_address = Label(metric, "peer_address");
    }
    return suspect;
  }

  StatusCollector& Collector(const prometheus::ClientMetric& metric) {
    bool added = false;
    const std::string name = Label(metric, "collector");
    StatusCollector& collector =
        FindOrAdd(&model_.collectors, &collectors_, name, &added);
    collector.name = name;
    return collector;
  }

  const CounterBaseline* baseline_;
  StatusModel model_;
  std::map<std::string, std::size_t> listeners_, suspects_, collectors_;
};

}  // namespace

std::string StatusSeriesKey(const std::string& name,
                            const prometheus::ClientMetric& metric) {
  return name + "{" + KeyWithout(metric, {}) + "}";
}

void CounterBaseline::Observe(
    const std::vector<prometheus::MetricFamily>& families,
    double now_unix_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  if (since_ == 0) since_ = now_unix_seconds;
  for (const auto& family : families) {
    if (!IsNetstatCounter(family)) continue;
    for (const auto& metric : family.metric) {
      first_.try_emplace(StatusSeriesKey(family.name, metric),
                         metric.counter.value);
    }
  }
}

std::optional<double> CounterBaseline::Change(const std::string& key,
                                              double value) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = first_.find(key);
  if (it == first_.end()) return std::nullopt;
  return value < it->second ? value : value - it->second;
}

double CounterBaseline::since_unix_seconds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return since_;
}

StatusModel BuildStatusModel(
    const std::vector<prometheus::MetricFamily>& families,
    double collected_unix_seconds, const CounterBaseline* baseline) {
  Builder builder(collected_unix_seconds, baseline);
  for (const auto& family : families) builder.Add(family);
  return builder.Finish();
}

}  // namespace halfopen
