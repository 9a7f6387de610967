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
    return sources_->discovery_status();
  }

 private:
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
