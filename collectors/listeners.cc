#include <chrono>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "collectors/each_netns.h"
#include "collectors/listener_sampler.h"
#include "decode/port_ranges.h"
#include "engine/collector.h"
#include "engine/family.h"
#include "engine/log.h"
#include "model/address.h"
#include "model/listener_history.h"
#include "model/listener_selection.h"
#include "sources/socket_owners.h"
#include "sources/sources.h"

namespace halfopen {
namespace {

// The --collector.listeners.* flags as given; turned into a ListenerFilter
// once they are parsed.
struct ListenersOptions {
  std::string port_include;
  std::string port_exclude;
  std::regex address_include;
  std::regex address_exclude;
  std::size_t max_listeners = 200;
  bool processes = true;
  double process_refresh_seconds = 60;
  double sample_interval_seconds = 0.1;
  double sample_cpu_budget = 0.01;
  double peak_window_seconds = 60;
};

std::string PortRangesProblem(const std::string& text) {
  std::vector<PortRange> ranges;
  return ParsePortRanges(text, &ranges);
}

ListenerFilter MakeFilter(const ListenersOptions& options) {
  ListenerFilter filter;
  ParsePortRanges(options.port_include, &filter.port_include);
  ParsePortRanges(options.port_exclude, &filter.port_exclude);
  filter.address_include = options.address_include;
  filter.address_exclude = options.address_exclude;
  filter.max_listeners = options.max_listeners;
  return filter;
}

constexpr auto kGauge = prometheus::MetricType::Gauge;
constexpr auto kCounter = prometheus::MetricType::Counter;

// The per-listener series of the socket walk, in the order they are
// exported.
constexpr MetricSpec<Listener> kListenerMetrics[] = {
    {"halfopen_listen_queue_length",
     "Connections waiting in the listener's accept queue for accept(), "
     "summed over its sockets (an SO_REUSEPORT group has several).",
     kGauge, [](const Listener& l) -> double { return l.queue_length; }},
    {"halfopen_listen_queue_limit",
     "The accept queues' limits, min(listen() backlog, net.core.somaxconn), "
     "summed over the listener's sockets; a socket's queue is full when its "
     "length is greater than its limit.",
     kGauge, [](const Listener& l) -> double { return l.queue_limit; }},
    {"halfopen_listen_queue_max_fill_ratio",
     "The fullest socket of the listener: its accept-queue length divided by "
     "its limit + 1 (what it holds before it overflows). 1 means that socket "
     "is full and drops handshakes, even if the group's other sockets idle.",
     kGauge, [](const Listener& l) -> double { return l.max_fill; }},
    {"halfopen_listen_sockets",
     "Listening sockets on this family, address, port and device: more than "
     "one for an SO_REUSEPORT group.",
     kGauge, [](const Listener& l) -> double { return l.sockets; }},
    {"halfopen_listen_syn_recv",
     "Handshakes in SYN_RECV attributed to the listener.", kGauge,
     [](const Listener& l) -> double { return l.syn_recv; }},
    {"halfopen_listen_syn_recv_retransmitting",
     "Of those handshakes, the ones whose SYN-ACK was re-sent at least "
     "once: the client's final ACK was lost or ignored (often because the "
     "accept queue was full), and the client may believe it is connected.",
     kGauge,
     [](const Listener& l) -> double { return l.syn_recv_retransmitting; }},
    {"halfopen_listen_orphaned_handshakes",
     "SYN_RECV handshakes being retransmitted while one of the listener's "
     "accept queues is full: their clients believe they are connected. "
     "Only listeners that have some are exported.",
     kGauge, [](const Listener& l) -> double { return l.orphaned_handshakes; },
     [](const Listener& l) { return l.orphaned_handshakes > 0; }},
};

// What the sampler saw of one listener.
constexpr MetricSpec<ListenerObservation> kSampledMetrics[] = {
    {"halfopen_listen_queue_full_seconds_total",
     "Seconds the listener sampler saw a socket of the listener with a full "
     "accept queue (length greater than its limit); rate() is the fraction "
     "of time full. Each interval between two samples counts by how many of "
     "its two ends saw it full.",
     kCounter,
     [](const ListenerObservation& o) -> double { return o.full_seconds; }},
    {"halfopen_listen_queue_peak_length",
     "The highest accept-queue length (summed over the listener's sockets) "
     "the sampler saw within the last --collector.listeners.peak-window "
     "seconds.",
     kGauge,
     [](const ListenerObservation& o) -> double { return o.peak_length; }},
};

// What the sampler saw of one namespace, read at scrape time.
struct NamespaceSamples {
  bool sampled = false;
  std::vector<ListenerObservation> kept;  // By ListenerSelection::kept.
  ListenerObservation other;
  std::uint64_t samples = 0;
  std::uint64_t errors = 0;
};

// The sampler's per-namespace series.
constexpr MetricSpec<NamespaceSamples> kSamplerMetrics[] = {
    {"halfopen_listener_samples_total",
     "Samples the listener sampler took of the namespace's listeners "
     "(--collector.listeners.sample-interval).",
     kCounter, [](const NamespaceSamples& s) -> double { return s.samples; }},
    {"halfopen_listener_sample_errors_total",
     "Samples of the namespace's listeners that failed.", kCounter,
     [](const NamespaceSamples& s) -> double { return s.errors; }},
};

// One namespace's listeners, as selected for this scrape.
struct NamespaceListeners {
  LabelPairs labels;  // The namespace's.
  std::shared_ptr<const SocketWalk> walk;
  ListenerSelection selection;
  NamespaceSamples samples;
  // By ListenerSelection::kept: each listener's exact drops, when the kernel
  // gave them.
  std::vector<std::optional<std::uint64_t>> drops;
  std::optional<std::uint64_t> other_drops;  // Of the folded ones.
};

// Every family the collector exports, in order.
struct ListenerFamilies {
  FamilyTable<Listener> listeners{kListenerMetrics};
  prometheus::MetricFamily drops = NewFamily(
      "halfopen_listen_drops_total",
      "Segments the listener's sockets discarded, counted by the kernel for "
      "this listener alone (sk_drops) and kept by socket, so that it never "
      "goes down while SO_REUSEPORT members come and go. A SYN dropped for a "
      "full accept or SYN queue counts 1, as in ListenDrops; a final ACK "
      "that the full accept queue refuses counts 2 (ListenDrops: 1); a "
      "client's SYN sent again because its SYN-ACK was lost counts 1 (no "
      "ListenDrops). Absent when the kernel gives no sk_drops (before Linux "
      "4.7).",
      kCounter);
  prometheus::MetricFamily process_info =
      NewFamily("halfopen_listen_process_info",
                "1 for each process holding a listener's socket (found through "
                "/proc/<pid>/fd, like ss -p; refreshed every "
                "--collector.listeners.process-refresh seconds).",
                kGauge);
  prometheus::MetricFamily groups = NewFamily(
      "halfopen_listen_groups",
      "Listeners (single sockets or SO_REUSEPORT groups) by what became of "
      "them: exported with their own series, folded into the series with "
      "port=\"other\" past --collector.listeners.max, or excluded by the "
      "--collector.listeners.*-include/exclude filters.",
      kGauge);
  prometheus::MetricFamily unattributed = NewFamily(
      "halfopen_listen_syn_recv_unattributed",
      "SYN_RECV handshakes whose listener was not found in the same dump "
      "(it closed, or appeared, while the table was being read).",
      kGauge);
  FamilyTable<ListenerObservation> sampled{kSampledMetrics};
  FamilyTable<NamespaceSamples> sampler{kSamplerMetrics};

  // Appends them to *out; the sampler's only when there is one.
  void MoveTo(bool with_sampler, std::vector<prometheus::MetricFamily>* out) {
    listeners.MoveTo(out);
    for (auto* family : {&drops, &process_info, &groups, &unattributed}) {
      out->push_back(std::move(*family));
    }
    if (!with_sampler) return;
    sampled.MoveTo(out);
    sampler.MoveTo(out);
  }
};

class ListenersCollector : public Collector {
 public:
  ListenersCollector(const ListenersOptions& options,
                     std::shared_ptr<Sources> sources)
      : sources_(std::move(sources)),
        filter_(MakeFilter(options)),
        sampler_(options.sample_interval_seconds > 0 && sources_->live()
                     ? std::make_shared<ListenerSampler>(
                           SamplerOptions{options.sample_interval_seconds,
                                          options.sample_cpu_budget,
                                          options.peak_window_seconds, filter_},
                           sources_)
                     : nullptr),
        processes_(options.processes),
        owners_(
            ProcfsReader(sources_->options().procfs),
            std::chrono::duration_cast<SocketOwners::Clock::duration>(
                std::chrono::duration<double>(options.process_refresh_seconds)),
            std::chrono::seconds(5)) {
    // The unix collector's listeners are sampled by the same thread.
    if (sampler_ != nullptr) ListenerSampler::Share(sources_.get(), sampler_);
  }

  Status Collect(const Scrape& scrape,
                 std::vector<prometheus::MetricFamily>* out) override {
    std::vector<NamespaceListeners> namespaces;
    Status status =
        ForEachWalk(*sources_, scrape,
                    [&](const NamespaceWalk& walk, const LabelPairs& labels) {
                      if (!walk.walk->status.ok()) return walk.walk->status;
                      NamespaceListeners ns{labels, walk.walk, {}, {}, {}, {}};
                      Select(walk.netns->identity.inode, &ns);
                      ReadDrops(*walk.netns, &ns);
                      namespaces.push_back(std::move(ns));
                      return Status::Ok();
                    });
    const auto owners = FindOwners(namespaces);
    ListenerFamilies families;
    for (const NamespaceListeners& ns : namespaces) {
      AddNamespace(ns, owners, &families);
    }
    families.MoveTo(sampler_ != nullptr, out);
    if (sampler_ != nullptr) {
      AppendSingle(out, "halfopen_listener_sampler_seconds_total",
                   "CPU time the listener sampler has used, over every "
                   "namespace: rate() is the share of a core it costs.",
                   kCounter, sampler_->cpu_seconds());
      AppendSingle(out, "halfopen_listener_sample_interval_seconds",
                   "The interval the listener sampler keeps: "
                   "--collector.listeners.sample-interval, or longer when a "
                   "round of samples would cost more than "
                   "--collector.listeners.sample-budget of a core.",
                   kGauge, sampler_->interval_seconds());
    }
    return status;
  }

 private:
  using Owners = std::map<std::uint32_t, std::vector<SocketOwner>>;

  void AddNamespace(const NamespaceListeners& ns, const Owners& owners,
                    ListenerFamilies* families) const {
    const ListenerSelection& selection = ns.selection;
    for (std::size_t i = 0; i < selection.kept.size(); ++i) {
      const Listener& listener = *selection.kept[i];
      const LabelPairs labels = Join(ns.labels, Labels(listener, *ns.walk));
      families->listeners.Add(labels, listener);
      if (ns.drops[i]) {
        AddSample(&families->drops, labels, static_cast<double>(*ns.drops[i]));
      }
      if (ns.samples.sampled) families->sampled.Add(labels, ns.samples.kept[i]);
      AddOwners(listener, labels, owners, &families->process_info);
    }
    if (!selection.folded.empty()) {
      const LabelPairs labels =
          Join(ns.labels,
               {{"family", "other"}, {"address", "other"}, {"port", "other"}});
      families->listeners.Add(labels, selection.other);
      if (ns.other_drops) {
        AddSample(&families->drops, labels,
                  static_cast<double>(*ns.other_drops));
      }
      if (ns.samples.sampled) families->sampled.Add(labels, ns.samples.other);
    }
    if (sampler_ != nullptr) families->sampler.Add(ns.labels, ns.samples);
    for (const auto& [outcome, count] :
         {std::pair{"exported", selection.kept.size()},
          std::pair{"folded", selection.folded.size()},
          std::pair{"excluded", selection.excluded}}) {
      AddSample(&families->groups, Join(ns.labels, {{"outcome", outcome}}),
                static_cast<double>(count));
    }
    AddSample(&families->unattributed, ns.labels,
              static_cast<double>(ns.walk->listeners.unattributed()));
  }

  // Selects the namespace's listeners (keeping those the sampler saw full
  // lately, too) and reads what the sampler saw of them.
  void Select(std::uint64_t inode, NamespaceListeners* ns) const {
    const std::vector<Listener>& listeners = ns->walk->listeners.listeners();
    if (sampler_ == nullptr) {
      ns->selection = SelectListeners(listeners, filter_);
      return;
    }
    sampler_->With(inode, [&](ListenerHistory* history,
                              const SampledNamespace& sampled, double now) {
      ns->samples.errors = sampled.errors;
      if (history == nullptr) {
        ns->selection = SelectListeners(listeners, filter_);
        return;
      }
      ns->selection =
          SelectListeners(listeners, filter_, [&](const Listener& listener) {
            return history->RecentlyFull(listener, now);
          });
      NamespaceSamples& samples = ns->samples;
      samples.sampled = true;
      for (const Listener* listener : ns->selection.kept) {
        samples.kept.push_back(history->Read(*listener, now));
      }
      samples.other = history->FoldOthers(ns->selection.kept, now);
      samples.samples = history->samples();
    });
  }

  // Reads the selected listeners' exact drops from the namespace's ledger,
  // which this scrape's walk has just brought up to date.
  void ReadDrops(Netns& netns, NamespaceListeners* ns) {
    const ListenerSelection& selection = ns->selection;
    bool any = false;
    netns.drops.With([&](ListenerDrops& drops) {
      for (const Listener* listener : selection.kept) {
        ns->drops.push_back(drops.Total(ListenerKey::Of(*listener)));
        any |= ns->drops.back().has_value();
      }
      std::vector<ListenerKey> folded;
      bool any_folded = false;
      for (const Listener* listener : selection.folded) {
        folded.push_back(ListenerKey::Of(*listener));
        any_folded |= drops.Total(folded.back()).has_value();
      }
      const std::uint64_t other = drops.FoldOthers(folded);
      if (any_folded) ns->other_drops = other;
      any |= any_folded;
    });
    if (!any && !ns->walk->listeners.listeners().empty() && !warned_drops_) {
      warned_drops_ = true;
      Log(spdlog::level::warn, "listener drops unknown",
          {{"reason",
            "the listeners' dump carried no sk_drops (INET_DIAG_SKMEMINFO "
            "with SK_MEMINFO_DROPS, Linux 4.7 and later)"},
           {"missing", "halfopen_listen_drops_total"}});
    }
  }

  Owners FindOwners(const std::vector<NamespaceListeners>& namespaces) {
    if (!processes_) return {};
    std::set<std::uint32_t> inodes;
    for (const NamespaceListeners& ns : namespaces) {
      for (const Listener* listener : ns.selection.kept) {
        inodes.insert(listener->inodes.begin(), listener->inodes.end());
      }
    }
    Owners owners = owners_.Find(inodes, SocketOwners::Clock::now());
    const int denied = owners_.denied();
    if (denied > 0 && !warned_) {
      warned_ = true;
      Log(spdlog::level::warn, "listener programs incomplete",
          {{"unreadable_processes", denied},
           {"reason",
            "their file descriptors cannot be read; other users' processes "
            "need CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH"},
           {"missing", "halfopen_listen_process_info"}});
    }
    return owners;
  }

  static void AddOwners(const Listener& listener, const LabelPairs& labels,
                        const Owners& owners,
                        prometheus::MetricFamily* process_info) {
    std::set<int> seen;  // A process holding several members counts once.
    for (const std::uint32_t inode : listener.inodes) {
      const auto found = owners.find(inode);
      if (found == owners.end()) continue;
      for (const SocketOwner& owner : found->second) {
        if (!seen.insert(owner.pid).second) continue;
        AddSample(process_info,
                  Join(labels, {{"comm", owner.comm},
                                {"pid", std::to_string(owner.pid)}}),
                  1);
      }
    }
  }

  static LabelPairs Labels(const Listener& listener, const SocketWalk& walk) {
    LabelPairs labels = {
        {"family", FamilyLabel(listener.family)},
        {"address", FormatAddress(listener.family, listener.address)},
        {"port", std::to_string(listener.port)}};
    if (listener.device != 0) {
      labels.push_back({"device", walk.device_names.at(listener.device)});
    }
    return labels;
  }

  const std::shared_ptr<Sources> sources_;
  const ListenerFilter filter_;
  // Declared after sources_ and filter_, which it uses; stopped first
  // unless the unix collector is reading it at that moment (it holds what
  // it uses).
  const std::shared_ptr<ListenerSampler> sampler_;
  const bool processes_;
  SocketOwners owners_;
  bool warned_ = false;
  bool warned_drops_ = false;
};

void DeclareFlags(FlagSet* flags, SourceOptions*, ListenersOptions* options) {
  flags->Checked("collector.listeners.port-include",
                 "Only listeners on these ports get series: a comma-separated "
                 "list of ports and ranges, e.g. 22,80,8000-8999 (empty: "
                 "every port).",
                 &options->port_include, PortRangesProblem);
  flags->Checked("collector.listeners.port-exclude",
                 "Listeners on these ports get no series (same syntax).",
                 &options->port_exclude, PortRangesProblem);
  flags->Regex("collector.listeners.address-include",
               "Regexp: only listeners whose address, as exported (e.g. "
               "0.0.0.0, ::, 10.0.0.1), matches get series.",
               "", &options->address_include);
  flags->Regex("collector.listeners.address-exclude",
               "Regexp: listeners whose address matches get no series.", "^$",
               &options->address_exclude);
  flags->WholeNumber<std::size_t>(
      "collector.listeners.max",
      "At most this many listeners of each network namespace get series of "
      "their own; the rest are added up into one series with "
      "port=\"other\". Full and busy listeners are kept first, then the "
      "lowest ports.",
      &options->max_listeners, 1, 100000);
  flags->Bool("collector.listeners.processes",
              "Name the processes that hold each listener "
              "(halfopen_listen_process_info), found through /proc/<pid>/fd "
              "like ss -p. Other users' processes need CAP_SYS_PTRACE and "
              "CAP_DAC_READ_SEARCH.",
              &options->processes);
  flags->NumberOrZero(
      "collector.listeners.sample-interval",
      "Seconds between two samples of every listener's accept queue and "
      "drop count, taken between scrapes to catch bursts "
      "(halfopen_listen_queue_full_seconds_total, _peak_length) and the "
      "drops of sockets that close between scrapes "
      "(halfopen_listen_drops_total). One LISTEN-only dump per network "
      "namespace and sample; with the unix collector, a unix_diag one too "
      "(halfopen_unix_listen_queue_full_seconds_total, _peak_length). 0 "
      "turns the sampler off.",
      &options->sample_interval_seconds, 0.01, 60);
  flags->NumberOrZero(
      "collector.listeners.sample-budget",
      "The share of one core the listener sampler may use, e.g. 0.01 for 1%; "
      "when a round of samples of every namespace costs more, it samples "
      "less often (halfopen_listener_sample_interval_seconds). 0: no limit.",
      &options->sample_cpu_budget, 0.0001, 1);
  flags->Number("collector.listeners.peak-window",
                "Seconds over which halfopen_listen_queue_peak_length keeps "
                "the highest sampled queue length.",
                &options->peak_window_seconds, 1, 3600);
  flags->Number("collector.listeners.process-refresh",
                "Seconds between two searches of every process's file "
                "descriptors for listener owners (sooner, at most every 5 s, "
                "when a new listener appears).",
                &options->process_refresh_seconds, 1, 86400);
}

const bool kRegistered =
    CollectorCatalog::Global().Add(DefineCollector<ListenersOptions>(
        "listeners",
        "Accept-queue length and limit, SYN_RECV and orphaned handshakes per "
        "listener (a socket or an SO_REUSEPORT group), from the same dump as "
        "the sockets collector.",
        true, DeclareFlags,
        [](const ListenersOptions& options, std::shared_ptr<Sources> sources) {
          return std::make_unique<ListenersCollector>(options,
                                                      std::move(sources));
        }));

}  // namespace
}  // namespace halfopen
