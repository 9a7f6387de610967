#include "collectors/each_netns.h"

#include <string>

#include "spdlog/spdlog.h"

namespace halfopen {

Status ForEachNamespace(
    Sources& sources, const Scrape& scrape,
    const std::function<Status(Netns& netns, const LabelPairs& labels)>&
        collect) {
  for (const auto& netns : sources.Namespaces(scrape.id)) {
    LabelPairs labels;
    if (sources.all_namespaces()) {
      labels.push_back({"netns", std::to_string(netns->identity.inode)});
    }
    Status status = collect(*netns, labels);
    if (status.ok()) continue;
    if (netns->identity.own) return status;
    sources.NoteNamespaceError();
    spdlog::debug("namespace skipped: netns={} error=\"{}\"",
                  netns->identity.inode, status.message());
  }
  return Status::Ok();
}

LabelPairs Join(const LabelPairs& labels, const LabelPairs& more) {
  LabelPairs joined = labels;
  joined.insert(joined.end(), more.begin(), more.end());
  return joined;
}

}  // namespace halfopen
