#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "collectors/each_netns.h"
#include "collectors/listener_sampler.h"
#include "engine/collector.h"
#include "engine/family.h"
#include "engine/log.h"
#include "model/unix_listener_selection.h"
#include "sources/socket_owners.h"
#include "sources/sources.h"

namespace halfopen {
namespace {

// Per-login sockets: each login adds its own (the user's systemd, dbus,
// pipewire and gpg-agent under /run/user/<uid>/, ssh-agent, tmux, an older
// dbus session bus), so they churn series on shared hosts, and no proxy
// sends production traffic through them.
constexpr const char* kDefaultPathExclude =
    "^(/run/user/|/tmp/(ssh|tmux)-|@/tmp/dbus-)";

struct UnixOptions {
  std::regex path_include;
  std::regex path_exclude;
  std::size_t max_listeners = 200;
  bool processes = true;
  double process_refresh_seconds = 60;
};

constexpr auto kGauge = prometheus::MetricType::Gauge;

constexpr MetricSpec<UnixListener> kUnixMetrics[] = {
    {"halfopen_unix_listen_queue_length",
     "Connections waiting for accept() on the Unix-domain listener (ss -xl "
     "Recv-Q), summed over the sockets bound to its path.",
     kGauge, [](const UnixListener& l) -> double { return l.queue_length; }},
    {"halfopen_unix_listen_queue_limit",
     "The listen() backlogs, capped by net.core.somaxconn (ss -xl Send-Q), "
     "summed over the sockets; a socket is full when its length is greater "
     "than its limit, and a connect() to it then fails with EAGAIN "
     "(nonblocking, as nginx's) or waits.",
     kGauge, [](const UnixListener& l) -> double { return l.queue_limit; }},
    {"halfopen_unix_listen_queue_max_fill_ratio",
     "The fullest socket on the path: its queue length divided by its limit "
     "+ 1 (what it holds before connect() fails). 1 means full.",
     kGauge, [](const UnixListener& l) -> double { return l.max_fill; }},
    {"halfopen_unix_listen_sockets",
     "Listening sockets bound to this path with this type: 2 while a "
     "restarted server listens on the path anew and the old one, its file "
     "unlinked, still drains its queue.",
     kGauge, [](const UnixListener& l) -> double { return l.sockets; }},
};

constexpr auto kCounter = prometheus::MetricType::Counter;

// What the listener sampler saw of one Unix listener between scrapes.
constexpr MetricSpec<ListenerObservation> kSampledMetrics[] = {
    {"halfopen_unix_listen_queue_full_seconds_total",
     "Seconds the listener sampler saw a socket of the Unix-domain listener "
     "with a full queue (length greater than its limit: connect() fails "
     "with EAGAIN or waits); rate() is the fraction of time full. The kernel "
     "counts no refused Unix connect, so this is the only trace of a burst "
     "between two scrapes.",
     kCounter,
     [](const ListenerObservation& o) -> double { return o.full_seconds; }},
    {"halfopen_unix_listen_queue_peak_length",
     "The highest queue length (summed over the path's sockets) the sampler "
     "saw within the last --collector.listeners.peak-window seconds.",
     kGauge,
     [](const ListenerObservation& o) -> double { return o.peak_length; }},
};

// One namespace's Unix listeners, as selected for this scrape.
struct NamespaceUnixListeners {
  LabelPairs labels;
  std::shared_ptr<const UnixListenerWalk> walk;
  UnixListenerSelection selection;
  bool sampled = false;
  std::vector<ListenerObservation> kept;  // By selection.kept.
  ListenerObservation other;
};

struct UnixFamilies {
  FamilyTable<UnixListener> listeners{kUnixMetrics};
  FamilyTable<ListenerObservation> sampled{kSampledMetrics};
  prometheus::MetricFamily process_info = NewFamily(
      "halfopen_unix_listen_process_info",
      "1 for each process holding a Unix-domain listener's socket (found "
      "through /proc/<pid>/fd, like ss -xp; refreshed every "
      "--collector.unix.process-refresh seconds).",
      kGauge);
  prometheus::MetricFamily groups = NewFamily(
      "halfopen_unix_listen_groups",
      "Unix-domain listeners (grouped by path and type) by what became of "
      "them: exported with their own series, folded into path=\"other\" "
      "past --collector.unix.max, or excluded by "
      "--collector.unix.path-include/exclude.",
      kGauge);

  // The sampler's only when there is one.
  void MoveTo(bool with_sampler, std::vector<prometheus::MetricFamily>* out) {
    listeners.MoveTo(out);
    out->push_back(std::move(process_info));
    out->push_back(std::move(groups));
    if (with_sampler) sampled.MoveTo(out);
  }
};

class UnixCollector : public Collector {
 public:
  UnixCollector(const UnixOptions& options, std::shared_ptr<Sources> sources)
      : sources_(std::move(sources)),
        filter_{options.path_include, options.path_exclude,
                options.max_listeners},
        processes_(options.processes),
        owners_(
            ProcfsReader(sources_->options().procfs),
            std::chrono::duration_cast<SocketOwners::Clock::duration>(
                std::chrono::duration<double>(options.process_refresh_seconds)),
            std::chrono::seconds(5)) {}

  Status Collect(const Scrape& scrape,
                 std::vector<prometheus::MetricFamily>* out) override {
    // Held for this scrape only: the listeners collector owns it.
    const std::shared_ptr<ListenerSampler> sampler =
        ListenerSampler::Of(sources_.get());
    if (sampler != nullptr) sampler->SampleUnixListeners();
    std::vector<NamespaceUnixListeners> namespaces;
    const Status status = ForEachNamespace(
        *sources_, scrape, [&](Netns& netns, const LabelPairs& labels) {
          auto walk = netns.unix_listeners.ForScrape(scrape.id);
          if (!walk->status.ok()) return walk->status;
          if (!walk->available) return Status::Ok();
          NamespaceUnixListeners ns{labels, walk, {}, false, {}, {}};
          Select(sampler.get(), netns.identity.inode, &ns);
          namespaces.push_back(std::move(ns));
          return Status::Ok();
        });
    const Owners owners = FindOwners(namespaces);
    UnixFamilies families;
    for (const NamespaceUnixListeners& ns : namespaces) {
      AddNamespace(ns, owners, &families);
    }
    families.MoveTo(sampler != nullptr, out);
    return status;
  }

 private:
  using Owners = std::map<std::uint32_t, std::vector<SocketOwner>>;

  // Selects the namespace's listeners (keeping those the sampler saw full
  // lately, too) and reads what the sampler saw of them.
  void Select(ListenerSampler* sampler, std::uint64_t inode,
              NamespaceUnixListeners* ns) const {
    const std::vector<UnixListener>& listeners =
        ns->walk->listeners.listeners();
    if (sampler == nullptr) {
      ns->selection = SelectUnixListeners(listeners, filter_);
      return;
    }
    sampler->WithUnix(inode, [&](UnixListenerHistory* history, double now) {
      if (history == nullptr) {
        ns->selection = SelectUnixListeners(listeners, filter_);
        return;
      }
      ns->selection = SelectUnixListeners(
          listeners, filter_, [&](const UnixListener& listener) {
            return history->RecentlyFull(listener, now);
          });
      ns->sampled = true;
      for (const UnixListener* listener : ns->selection.kept) {
        ns->kept.push_back(history->Read(*listener, now));
      }
      ns->other =
          history->FoldOthers(ns->selection.kept, ns->selection.left_out, now);
    });
  }

  static void AddNamespace(const NamespaceUnixListeners& ns,
                           const Owners& owners, UnixFamilies* families) {
    const UnixListenerSelection& selection = ns.selection;
    for (std::size_t i = 0; i < selection.kept.size(); ++i) {
      const UnixListener& listener = *selection.kept[i];
      const LabelPairs labels =
          Join(ns.labels, {{"path", listener.path},
                           {"type", UnixTypeLabel(listener.key.type)}});
      families->listeners.Add(labels, listener);
      if (ns.sampled) families->sampled.Add(labels, ns.kept[i]);
      AddOwners(listener, labels, owners, &families->process_info);
    }
    if (!selection.folded.empty()) {
      const LabelPairs labels =
          Join(ns.labels, {{"path", "other"}, {"type", "other"}});
      families->listeners.Add(labels, selection.other);
      if (ns.sampled) families->sampled.Add(labels, ns.other);
    }
    for (const auto& [outcome, count] :
         {std::pair{"exported", selection.kept.size()},
          std::pair{"folded", selection.folded.size()},
          std::pair{"excluded", selection.excluded}}) {
      AddSample(&families->groups, Join(ns.labels, {{"outcome", outcome}}),
                static_cast<double>(count));
    }
  }

  Owners FindOwners(const std::vector<NamespaceUnixListeners>& namespaces) {
    if (!processes_) return {};
    std::set<std::uint32_t> inodes;
    for (const NamespaceUnixListeners& ns : namespaces) {
      for (const UnixListener* listener : ns.selection.kept) {
        inodes.insert(listener->inodes.begin(), listener->inodes.end());
      }
    }
    if (inodes.empty()) return {};
    Owners owners = owners_.Find(inodes, SocketOwners::Clock::now());
    if (owners_.denied() > 0 && !warned_) {
      warned_ = true;
      Log(spdlog::level::warn, "unix listener programs incomplete",
          {{"unreadable_processes", owners_.denied()},
           {"reason",
            "their file descriptors cannot be read; other users' processes "
            "need CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH"},
           {"missing", "halfopen_unix_listen_process_info"}});
    }
    return owners;
  }

  static void AddOwners(const UnixListener& listener, const LabelPairs& labels,
                        const Owners& owners,
                        prometheus::MetricFamily* process_info) {
    std::set<int> seen;  // A process holding several sockets counts once.
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

  const std::shared_ptr<Sources> sources_;
  const UnixListenerFilter filter_;
  const bool processes_;
  SocketOwners owners_;
  bool warned_ = false;
};

void DeclareFlags(FlagSet* flags, SourceOptions*, UnixOptions* options) {
  flags->Regex("collector.unix.path-include",
               "Regexp: only Unix-domain listeners whose path, as exported "
               "(a file path, or @name for an abstract one), matches get "
               "series.",
               "", &options->path_include);
  flags->Regex(
      "collector.unix.path-exclude",
      "Regexp: Unix-domain listeners whose path matches get no series. The "
      "default leaves out per-login sockets (the user's systemd, dbus, "
      "pipewire and gpg-agent under /run/user/<uid>/, ssh-agent, tmux, an "
      "older dbus session bus): every login adds its own, so on a shared "
      "host they churn series, and no proxy sends traffic through them. ^$ "
      "keeps every path.",
      kDefaultPathExclude, &options->path_exclude);
  flags->WholeNumber<std::size_t>(
      "collector.unix.max",
      "At most this many Unix-domain listeners of each network namespace get "
      "series of their own; the rest are added up into one series with "
      "path=\"other\". Full and busy listeners are kept first, then by path.",
      &options->max_listeners, 1, 100000);
  flags->Bool("collector.unix.processes",
              "Name the processes that hold each Unix-domain listener "
              "(halfopen_unix_listen_process_info), found through "
              "/proc/<pid>/fd like ss -xp.",
              &options->processes);
  flags->Number("collector.unix.process-refresh",
                "Seconds between two searches of every process's file "
                "descriptors for Unix listener owners (sooner, at most every "
                "5 s, when a new listener appears).",
                &options->process_refresh_seconds, 1, 86400);
}

const bool kRegistered =
    CollectorCatalog::Global().Add(DefineCollector<UnixOptions>(
        "unix",
        "Accept-queue length and limit of Unix-domain stream and seqpacket "
        "listeners (unix_diag, what ss -xl shows), grouped by path, with the "
        "processes holding them; sampled between scrapes by the listeners "
        "collector's sampler.",
        true, DeclareFlags,
        [](const UnixOptions& options, std::shared_ptr<Sources> sources) {
          return std::make_unique<UnixCollector>(options, std::move(sources));
        }));

}  // namespace
}  // namespace halfopen
