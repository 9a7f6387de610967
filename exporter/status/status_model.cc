#include "status/status_model.h"

#include <algorithm>
#include <charconv>
#include <span>
#include <string_view>
#include <tuple>
#include <variant>

namespace halfopen {
namespace {

constexpr std::string_view kNetstatPrefix = "halfopen_netstat_";
constexpr std::string_view kKernelPrefix = "halfopen_kernel_";
constexpr std::string_view kGiveupSuffix = "_giveup_seconds";
// Counters whose rise over the last minute the views show.
constexpr std::string_view kWindowed[] = {"halfopen_listen_drops_total"};

bool IsWindowed(const std::string& name) {
  return std::find(std::begin(kWindowed), std::end(kWindowed), name) !=
         std::end(kWindowed);
}

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
                       std::span<const std::string_view> skip) {
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
  const double dropped = l.drops_recent ? l.drops_recent->value : 0;
  return std::make_tuple(-l.max_fill, -dropped, -l.orphaned_handshakes,
                         -l.syn_recv_retransmitting, -l.syn_recv,
                         -l.queue_length, l.netns, PortOrder(l.port), l.address,
                         l.device);
}

// Where a series' value goes in the item its labels name.
template <typename Item>
using Field = std::variant<double Item::*, std::optional<double> Item::*>;

template <typename Item>
struct SeriesField {
  std::string_view metric;
  Field<Item> field;
};

// Which label fills which member of a new item.
template <typename Item>
struct LabelField {
  std::string_view label;
  std::string Item::*field;
};

constexpr SeriesField<StatusListener> kListenerSeries[] = {
    {"halfopen_listen_queue_length", &StatusListener::queue_length},
    {"halfopen_listen_queue_limit", &StatusListener::queue_limit},
    {"halfopen_listen_queue_max_fill_ratio", &StatusListener::max_fill},
    {"halfopen_listen_sockets", &StatusListener::sockets},
    {"halfopen_listen_syn_recv", &StatusListener::syn_recv},
    {"halfopen_listen_syn_recv_retransmitting",
     &StatusListener::syn_recv_retransmitting},
    {"halfopen_listen_orphaned_handshakes",
     &StatusListener::orphaned_handshakes},
    {"halfopen_listen_queue_full_seconds_total", &StatusListener::full_seconds},
    {"halfopen_listen_queue_peak_length", &StatusListener::peak_length},
    {"halfopen_listen_drops_total", &StatusListener::drops_total}};
constexpr LabelField<StatusListener> kListenerLabels[] = {
    {"netns", &StatusListener::netns},
    {"family", &StatusListener::family},
    {"address", &StatusListener::address},
    {"port", &StatusListener::port},
    {"device", &StatusListener::device}};

constexpr SeriesField<StatusUnixListener> kUnixSeries[] = {
    {"halfopen_unix_listen_queue_length", &StatusUnixListener::queue_length},
    {"halfopen_unix_listen_queue_limit", &StatusUnixListener::queue_limit},
    {"halfopen_unix_listen_queue_max_fill_ratio",
     &StatusUnixListener::max_fill},
    {"halfopen_unix_listen_sockets", &StatusUnixListener::sockets},
    {"halfopen_unix_listen_queue_full_seconds_total",
     &StatusUnixListener::full_seconds},
    {"halfopen_unix_listen_queue_peak_length",
     &StatusUnixListener::peak_length}};
constexpr LabelField<StatusUnixListener> kUnixLabels[] = {
    {"netns", &StatusUnixListener::netns},
    {"path", &StatusUnixListener::path},
    {"type", &StatusUnixListener::type}};

constexpr SeriesField<StatusSuspect> kSuspectSeries[] = {
    {"halfopen_suspect_score", &StatusSuspect::score},
    {"halfopen_suspect_giveup_eta_seconds", &StatusSuspect::giveup_eta_seconds},
    {"halfopen_suspect_connections", &StatusSuspect::connections},
    {"halfopen_suspect_age_seconds", &StatusSuspect::age_seconds}};
constexpr LabelField<StatusSuspect> kSuspectLabels[] = {
    {"netns", &StatusSuspect::netns},
    {"reason", &StatusSuspect::reason},
    {"state", &StatusSuspect::state},
    {"local_port", &StatusSuspect::local_port},
    {"peer_port", &StatusSuspect::peer_port},
    {"local_address", &StatusSuspect::local_address},
    {"peer_address", &StatusSuspect::peer_address}};

// The items of one kind (listeners, suspects), each named by its series'
// labels but the `skip`ped ones, filled from the series of its table.
template <typename Item>
class Items {
 public:
  Items(std::vector<Item>* items, std::span<const SeriesField<Item>> series,
        std::span<const LabelField<Item>> labels,
        std::vector<std::string_view> skip)
      : items_(items),
        series_(series),
        labels_(labels),
        skip_(std::move(skip)) {}

  // Sets the field of the series `name` in the item `metric` names; false
  // when the table has no such series.
  bool Set(std::string_view name, const prometheus::ClientMetric& metric,
           double value) {
    for (const SeriesField<Item>& entry : series_) {
      if (entry.metric != name) continue;
      Item& item = Find(metric);
      std::visit([&](auto field) { item.*field = value; }, entry.field);
      return true;
    }
    return false;
  }

  // The item `metric` names, added with its labels the first time.
  Item& Find(const prometheus::ClientMetric& metric) {
    const auto [it, added] =
        index_.try_emplace(KeyWithout(metric, skip_), items_->size());
    if (added) {
      Item& item = items_->emplace_back();
      for (const LabelField<Item>& label : labels_) {
        item.*(label.field) = Label(metric, label.label);
      }
    }
    return (*items_)[it->second];
  }

 private:
  std::vector<Item>* items_;
  std::span<const SeriesField<Item>> series_;
  std::span<const LabelField<Item>> labels_;
  std::vector<std::string_view> skip_;
  std::map<std::string, std::size_t> index_;
};

// Fills a model family by family; each family's series find their listener,
// suspect or collector by their labels.
class Builder {
 public:
  Builder(double collected_unix_seconds, const CounterBaseline* baseline)
      : baseline_(baseline),
        listeners_(&model_.listeners, kListenerSeries, kListenerLabels,
                   {"comm", "pid"}),
        unix_listeners_(&model_.unix_listeners, kUnixSeries, kUnixLabels,
                        {"comm", "pid"}),
        suspects_(&model_.suspects, kSuspectSeries, kSuspectLabels, {}) {
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
    std::stable_sort(
        model_.unix_listeners.begin(), model_.unix_listeners.end(),
        [](const StatusUnixListener& a, const StatusUnixListener& b) {
          return std::tie(b.max_fill, b.queue_length, a.netns, a.path) <
                 std::tie(a.max_fill, a.queue_length, b.netns, b.path);
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
    if (name == "halfopen_listen_drops_total" && baseline_ != nullptr) {
      listeners_.Find(metric).drops_recent = baseline_->RecentRise(
          StatusSeriesKey(name, metric), value, model_.collected_unix_seconds);
    }
    if (listeners_.Set(name, metric, value) ||
        unix_listeners_.Set(name, metric, value) ||
        suspects_.Set(name, metric, value)) {
      return;
    }
    if (name == "halfopen_listen_process_info") {
      listeners_.Find(metric).processes.push_back(
          {Label(metric, "comm"), Label(metric, "pid")});
    } else if (name == "halfopen_unix_listen_process_info") {
      unix_listeners_.Find(metric).processes.push_back(
          {Label(metric, "comm"), Label(metric, "pid")});
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

  StatusCollector& Collector(const prometheus::ClientMetric& metric) {
    const std::string name = Label(metric, "collector");
    const auto [it, added] =
        collectors_.try_emplace(name, model_.collectors.size());
    if (added) model_.collectors.push_back({.name = name});
    return model_.collectors[it->second];
  }

  const CounterBaseline* baseline_;
  StatusModel model_;
  Items<StatusListener> listeners_;
  Items<StatusUnixListener> unix_listeners_;
  Items<StatusSuspect> suspects_;
  std::map<std::string, std::size_t> collectors_;
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
    if (IsNetstatCounter(family)) {
      for (const auto& metric : family.metric) {
        first_.try_emplace(StatusSeriesKey(family.name, metric),
                           metric.counter.value);
      }
    }
    if (!IsWindowed(family.name)) continue;
    for (const auto& metric : family.metric) {
      auto& values = recent_[StatusSeriesKey(family.name, metric)];
      values.emplace_back(now_unix_seconds, Value(family, metric));
    }
  }
  // Keep one observation at least a window old, and forget series not seen
  // for two windows (their listener closed).
  const double keep_from = now_unix_seconds - kRecentWindowSeconds;
  for (auto it = recent_.begin(); it != recent_.end();) {
    auto& values = it->second;
    while (values.size() > 1 && values[1].first <= keep_from) {
      values.pop_front();
    }
    if (values.back().first < keep_from - kRecentWindowSeconds) {
      it = recent_.erase(it);
    } else {
      ++it;
    }
  }
}

std::optional<StatusRise> CounterBaseline::RecentRise(
    const std::string& key, double value, double now_unix_seconds) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = recent_.find(key);
  if (it == recent_.end()) return std::nullopt;
  const std::pair<double, double>* reference = nullptr;
  for (const auto& observed : it->second) {
    if (observed.first >= now_unix_seconds) break;
    // The newest one a window old or older, else the oldest.
    if (reference == nullptr ||
        observed.first <= now_unix_seconds - kRecentWindowSeconds) {
      reference = &observed;
    }
  }
  if (reference == nullptr) return std::nullopt;
  const double rise =
      value < reference->second ? value : value - reference->second;
  return StatusRise{rise, now_unix_seconds - reference->first};
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
