#pragma once

#include <functional>

#include "base/status.h"
#include "engine/collector.h"
#include "engine/family.h"
#include "sources/sources.h"

namespace halfopen {

/// Calls `collect` for every namespace of the scrape, with the labels that
/// name it (netns=<inode> with --netns.scope=all, none otherwise) to put
/// first on each of its series. `collect` must read everything it needs
/// before it adds a sample, and return an error without adding any. A
/// failure in the exporter's own namespace fails the collector; one in
/// another namespace, which may have vanished meanwhile, leaves that
/// namespace's series out, is counted (halfopen_netns_errors_total) and
/// logged at debug level.
Status ForEachNamespace(
    Sources& sources, const Scrape& scrape,
    const std::function<Status(Netns& netns, const LabelPairs& labels)>&
        collect);

/// The same for collectors that read the socket walk: calls `collect` with
/// each namespace's walk of the scrape (Sources::Walks). A walk that failed
/// is passed on too, for `collect` to return its status.
Status ForEachWalk(
    Sources& sources, const Scrape& scrape,
    const std::function<Status(const NamespaceWalk& walk,
                               const LabelPairs& labels)>& collect);

/// `labels` followed by `more`.
LabelPairs Join(const LabelPairs& labels, const LabelPairs& more);

}  // namespace halfopen
