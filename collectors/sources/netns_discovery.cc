#include "sources/netns_discovery.h"

#include <cerrno>
#include <map>

#include "decode/proc_text.h"
#include "kernel/errno_text.h"
#include "kernel/netns_thread.h"

namespace halfopen {

Status FindNetworkNamespaces(const ProcfsReader& procfs,
                             const std::string& run_netns,
                             std::vector<FoundNetns>* found, int* denied) {
  std::vector<std::string> entries;
  Status status = procfs.List("", &entries);
  if (!status.ok()) return status;
  std::map<std::uint64_t, FoundNetns> by_inode;
  *denied = 0;
  for (const std::string& entry : entries) {
    if (!IsPidName(entry)) continue;
    std::string link;
    int error_number = 0;
    std::uint64_t inode = 0;
    if (!procfs.ReadLink(entry + "/ns/net", &link, &error_number)) {
      *denied += error_number == EACCES || error_number == EPERM;
      continue;  // ENOENT: it exited meanwhile.
    }
    if (!ParseInodeLink(link, "net", &inode)) continue;
    const int pid = std::stoi(entry);
    FoundNetns& netns = by_inode[inode];
    if (netns.pid == 0 || pid < netns.pid) {
      netns.inode = inode;
      netns.pid = pid;
      netns.path = procfs.PathOf(entry + "/ns/net");
    }
  }
  std::vector<std::string> names;
  if (ProcfsReader(run_netns).List("", &names).ok()) {
    for (const std::string& name : names) {
      const std::string path = run_netns + "/" + name;
      std::uint64_t inode = 0;
      int error_number = 0;
      if (!NamespaceInode(path, &inode, &error_number)) continue;
      FoundNetns& netns = by_inode[inode];
      netns.inode = inode;
      netns.name = name;
      if (netns.pid == 0) netns.path = path;
    }
  }
  found->clear();
  for (auto& [inode, netns] : by_inode) found->push_back(std::move(netns));
  return Status::Ok();
}

Status OwnNetworkNamespace(const ProcfsReader& procfs, std::uint64_t* inode) {
  std::string link;
  int error_number = 0;
  if (!procfs.ReadLink("self/ns/net", &link, &error_number)) {
    return Status::Error("cannot read " + procfs.PathOf("self/ns/net") + ": " +
                         ErrnoText(error_number));
  }
  if (!ParseInodeLink(link, "net", inode)) {
    return Status::Error(procfs.PathOf("self/ns/net") + ": \"" + link +
                         "\" is not a network namespace");
  }
  return Status::Ok();
}

}  // namespace halfopen
