#include "collectors/each_netns.h"

#include <string>

#include "engine/log.h"

namespace halfopen {

namespace {

LabelPairs NamespaceLabels(const Sources& sources, const Netns& netns) {
  if (!sources.all_namespaces()) return {};
  return {{"netns", std::to_string(netns.identity.inode)}};
}

// What one namespace's failure means: the collector's for its own, a
// skipped namespace for another.
Status Judge(Sources& sources, const Netns& netns, const Status& status) {
  if (status.ok() || netns.identity.own) return status;
  sources.NoteNamespaceError();
  Log(spdlog::level::debug, "namespace skipped",
      {{"netns", netns.identity.inode}, {"error", status.message()}});
  return Status::Ok();
}

}  // namespace

Status ForEachNamespace(
    Sources& sources, const Scrape& scrape,
    const std::function<Status(Netns& netns, const LabelPairs& labels)>&
        collect) {
  for (const auto& netns : sources.Namespaces(scrape.id)) {
    Status status = Judge(sources, *netns,
                          collect(*netns, NamespaceLabels(sources, *netns)));
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

Status ForEachWalk(
    Sources& sources, const Scrape& scrape,
    const std::function<Status(const NamespaceWalk& walk,
                               const LabelPairs& labels)>& collect) {
  for (const NamespaceWalk& walk : sources.Walks(scrape.id, scrape.deadline)) {
    Status status = Judge(sources, *walk.netns,
                          collect(walk, NamespaceLabels(sources, *walk.netns)));
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

LabelPairs Join(const LabelPairs& labels, const LabelPairs& more) {
  LabelPairs joined = labels;
  joined.insert(joined.end(), more.begin(), more.end());
  return joined;
}

}  // namespace halfopen
