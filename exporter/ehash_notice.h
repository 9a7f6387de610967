#pragma once

#include "sources/sources.h"

namespace halfopen {

/// With --netns.scope=all, searches the host's network namespaces once and
/// logs (info) how many share the host's TCP established hash table and
/// what that costs each scrape, or that the kernel cannot say (before Linux
/// 6.1, where all of them share it). Logs nothing when none shares it, or
/// with --netns.scope=own. Called once, at start-up.
void LogEhashSharing(Sources& sources);

}  // namespace halfopen
