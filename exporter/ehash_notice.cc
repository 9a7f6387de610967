#include "exporter/ehash_notice.h"

#include <string>

#include "engine/log.h"

namespace halfopen {

void LogEhashSharing(Sources& sources) {
  if (!sources.all_namespaces()) return;
  const EhashSharing sharing = SummarizeEhash(sources.Search());
  if (sharing.unknown == sharing.namespaces) {
    Log(spdlog::level::info,
        "this kernel does not say which network namespaces share the TCP "
        "connection hash table",
        {{"namespaces", sharing.namespaces},
         {"why",
          "net.ipv4.tcp_ehash_entries appeared in Linux 6.1; before "
          "it, every namespace shares the host's table"},
         {"cost",
          "a full walk of any namespace walks every connection of "
          "the host; halfopen_netns_full_walk_duration_seconds shows "
          "what each takes"}});
    return;
  }
  if (sharing.shared == 0) return;
  Log(spdlog::level::info,
      "network namespaces share the host's TCP connection hash table",
      {{"shared", sharing.shared},
       {"namespaces", sharing.namespaces},
       {"own_tables", sharing.own_table},
       {"host_buckets", sharing.host_buckets},
       {"sockets_in_table", sharing.shared_sockets},
       {"cost", "each full walk of one of them walks all " +
                    std::to_string(sharing.host_buckets) + " buckets and " +
                    std::to_string(sharing.shared_sockets) +
                    " sockets to find its own, so a scrape walks the table "
                    "once per such namespace with connections; "
                    "halfopen_netns_full_walk_duration_seconds shows what "
                    "each takes"},
       {"remedy",
        "namespaces created after net.ipv4.tcp_child_ehash_entries "
        "is set on the node get their own table (README, Many "
        "namespaces and the connection hash table)"}});
}

}  // namespace halfopen
