#include <string>
#include <vector>

#include "collectors/each_netns.h"
#include "engine/collector.h"
#include "engine/family.h"
#include "sources/sources.h"

namespace halfopen {
namespace {

// Which network namespaces the exporter reads, who they belong to, and how
// reading them went.
class NetnsCollector : public Collector {
 public:
  explicit NetnsCollector(std::shared_ptr<Sources> sources)
      : sources_(std::move(sources)) {}

  Status Collect(const Scrape& scrape,
                 std::vector<prometheus::MetricFamily>* out) override {
    const auto namespaces = sources_->Namespaces(scrape.id);
    auto info = NewFamily(
        "halfopen_netns_info",
        "1 for each network namespace the exporter reads. netns is its inode "
        "(the label every per-namespace series carries with "
        "--netns.scope=all); name is its /run/netns name; comm is its "
        "lowest-pid process, whose cgroup gives pod_uid (join with "
        "kube_pod_info{uid}) and container_id.",
        prometheus::MetricType::Gauge);
    for (const auto& netns : namespaces) {
      const NetnsIdentity& id = netns->identity;
      AddSample(&info,
                {{"netns", std::to_string(id.inode)},
                 {"name", id.name},
                 {"pod_uid", id.pod_uid},
                 {"container_id", id.container_id},
                 {"comm", id.comm}},
                1);
    }
    out->push_back(std::move(info));
    const Status walks = AppendWalkCosts(scrape, out);
    AppendSingle(
        out, "halfopen_netns_errors_total",
        "Times a network namespace other than the exporter's own could not "
        "be read during a scrape (most often it vanished meanwhile); its "
        "series were left out of that scrape.",
        prometheus::MetricType::Counter,
        static_cast<double>(sources_->namespace_errors_total()));
    AppendSingle(
        out, "halfopen_netns_unreadable_processes",
        "Processes whose network namespace could not be seen in the last "
        "search although the exporter had CAP_SYS_ADMIN and CAP_SYS_PTRACE "
        "(a security module or sandbox hid them); their namespaces are read "
        "only if another process or a /run/netns name shows them.",
        prometheus::MetricType::Gauge,
        static_cast<double>(sources_->unreadable_processes()));
    AppendSingle(
        out, "halfopen_netns_other_walks_seconds_total",
        "Seconds spent walking the socket tables of network namespaces other "
        "than the exporter's own, summed over their walks (parallel walks, "
        "--netns.walkers, add up: it can grow faster than the clock).",
        prometheus::MetricType::Counter, sources_->other_walks_seconds_total());
    const Status discovery = sources_->discovery_status();
    return discovery.ok() ? walks : discovery;
  }

 private:
  // Per namespace: whether it shares the host's established hash table, and
  // what its last full walk took (before this scrape's walks, if they have
  // not run yet).
  Status AppendWalkCosts(const Scrape& scrape,
                         std::vector<prometheus::MetricFamily>* out) {
    auto shared = NewFamily(
        "halfopen_netns_tcp_ehash_shared",
        "1 when the namespace shares the host's TCP established hash table "
        "(net.ipv4.tcp_ehash_entries reads negative inside it): every full "
        "walk of it walks every connection of the host and of the other "
        "namespaces that share it. 0 when it has a table of its own, or is "
        "the host's. Absent on kernels before Linux 6.1.",
        prometheus::MetricType::Gauge);
    auto walk = NewFamily(
        "halfopen_netns_full_walk_duration_seconds",
        "How long the namespace's last full socket walk took: its listeners "
        "and connections, or its listeners alone when its sockstat showed "
        "nothing more.",
        prometheus::MetricType::Gauge);
    const Status status = ForEachNamespace(
        *sources_, scrape, [&](Netns& netns, const LabelPairs& labels) {
          if (!netns.ehash_status.ok()) return netns.ehash_status;
          if (netns.ehash_entries.has_value()) {
            AddSample(&shared, labels, *netns.ehash_entries < 0 ? 1 : 0);
          }
          const auto seconds = netns.walker.last_full_walk_duration_seconds();
          if (seconds.has_value()) AddSample(&walk, labels, *seconds);
          return Status::Ok();
        });
    out->push_back(std::move(shared));
    out->push_back(std::move(walk));
    return status;
  }

  const std::shared_ptr<Sources> sources_;
};

const bool kRegistered =
    CollectorCatalog::Global().Add(DefineCollector<NoOptions>(
        "netns",
        "The network namespaces read (--netns.scope): their inode, name, "
        "pod, container and first process.",
        true, nullptr, [](const NoOptions&, std::shared_ptr<Sources> sources) {
          return std::make_unique<NetnsCollector>(std::move(sources));
        }));

}  // namespace
}  // namespace halfopen
