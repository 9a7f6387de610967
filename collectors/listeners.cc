#include <regex>
#include <string>
#include <vector>

#include "collectors/sources.h"
#include "decode/port_ranges.h"
#include "engine/collector.h"
#include "engine/family.h"
#include "model/address.h"
#include "model/listener_selection.h"

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

// The families of per-listener series, in the order they are exported.
struct ListenerFamilies {
  prometheus::MetricFamily length = NewFamily(
      "halfopen_listen_queue_length",
      "Connections waiting in the listener's accept queue for accept(), "
      "summed over its sockets (an SO_REUSEPORT group has several).",
      prometheus::MetricType::Gauge);
  prometheus::MetricFamily limit = NewFamily(
      "halfopen_listen_queue_limit",
      "The accept queues' limits, min(listen() backlog, net.core.somaxconn), "
      "summed over the listener's sockets; a socket's queue is full when its "
      "length is greater than its limit.",
      prometheus::MetricType::Gauge);
  prometheus::MetricFamily max_fill = NewFamily(
      "halfopen_listen_queue_max_fill_ratio",
      "The fullest socket of the listener: its accept-queue length divided by "
      "its limit + 1 (what it holds before it overflows). 1 means that socket "
      "is full and drops handshakes, even if the group's other sockets idle.",
      prometheus::MetricType::Gauge);
  prometheus::MetricFamily sockets = NewFamily(
      "halfopen_listen_sockets",
      "Listening sockets on this family, address, port and device: more than "
      "one for an SO_REUSEPORT group.",
      prometheus::MetricType::Gauge);
  prometheus::MetricFamily syn_recv =
      NewFamily("halfopen_listen_syn_recv",
                "Handshakes in SYN_RECV attributed to the listener.",
                prometheus::MetricType::Gauge);
  prometheus::MetricFamily retransmitting = NewFamily(
      "halfopen_listen_syn_recv_retransmitting",
      "Of those handshakes, the ones whose SYN-ACK was re-sent at least "
      "once: the client's final ACK was lost or ignored (often because the "
      "accept queue was full), and the client may believe it is connected.",
      prometheus::MetricType::Gauge);
  prometheus::MetricFamily orphans = NewFamily(
      "halfopen_listen_orphaned_handshakes",
      "SYN_RECV handshakes being retransmitted while one of the listener's "
      "accept queues is full: their clients believe they are connected. "
      "Only listeners that have some are exported.",
      prometheus::MetricType::Gauge);

  void Add(const LabelPairs& labels, const Listener& listener) {
    AddSample(&length, labels, listener.queue_length);
    AddSample(&limit, labels, listener.queue_limit);
    AddSample(&max_fill, labels, listener.max_fill);
    AddSample(&sockets, labels, listener.sockets);
    AddSample(&syn_recv, labels, listener.syn_recv);
    AddSample(&retransmitting, labels, listener.syn_recv_retransmitting);
    if (listener.orphaned_handshakes > 0) {
      AddSample(&orphans, labels, listener.orphaned_handshakes);
    }
  }

  void MoveTo(std::vector<prometheus::MetricFamily>* out) {
    for (auto* family : {&length, &limit, &max_fill, &sockets, &syn_recv,
                         &retransmitting, &orphans}) {
      out->push_back(std::move(*family));
    }
  }
};

class ListenersCollector : public Collector {
 public:
  ListenersCollector(const ListenersOptions& options,
                     std::shared_ptr<Sources> sources)
      : sources_(std::move(sources)), filter_(MakeFilter(options)) {}

  Status Collect(const Scrape& scrape,
                 std::vector<prometheus::MetricFamily>* out) override {
    const auto walk = sources_->walker().ForScrape(scrape.id);
    if (!walk->status.ok()) return walk->status;
    const ListenerSelection selection =
        SelectListeners(walk->listeners.listeners(), filter_);
    ListenerFamilies families;
    for (const Listener* listener : selection.kept) {
      families.Add(Labels(*listener, *walk), *listener);
    }
    if (selection.folded > 0) {
      families.Add(
          {{"family", "other"}, {"address", "other"}, {"port", "other"}},
          selection.other);
    }
    families.MoveTo(out);
    auto groups = NewFamily(
        "halfopen_listen_groups",
        "Listeners (single sockets or SO_REUSEPORT groups) by what became of "
        "them: exported with their own series, folded into the series with "
        "port=\"other\" past --collector.listeners.max, or excluded by the "
        "--collector.listeners.*-include/exclude filters.",
        prometheus::MetricType::Gauge);
    AddSample(&groups, {{"outcome", "exported"}},
              static_cast<double>(selection.kept.size()));
    AddSample(&groups, {{"outcome", "folded"}},
              static_cast<double>(selection.folded));
    AddSample(&groups, {{"outcome", "excluded"}},
              static_cast<double>(selection.excluded));
    out->push_back(std::move(groups));
    auto unattributed = NewFamily(
        "halfopen_listen_syn_recv_unattributed",
        "SYN_RECV handshakes whose listener was not found in the same dump "
        "(it closed, or appeared, while the table was being read).",
        prometheus::MetricType::Gauge);
    AddSample(&unattributed, {},
              static_cast<double>(walk->listeners.unattributed()));
    out->push_back(std::move(unattributed));
    return Status::Ok();
  }

 private:
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
      "At most this many listeners get series of their own; the rest are "
      "added up into one series with port=\"other\". Full and busy listeners "
      "are kept first, then the lowest ports.",
      &options->max_listeners, 1, 100000);
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
