#pragma once

#include <string>
#include <string_view>

namespace halfopen {

/// Who a process belongs to, as its cgroup path tells: the Kubernetes pod
/// (its UID, as kube-state-metrics' kube_pod_info{uid} has it) and the
/// container runtime's container ID. Empty when the path does not say.
struct CgroupIdentity {
  std::string pod_uid;
  std::string container_id;
};

/// Reads the identity from the text of a /proc/<pid>/cgroup file: one
/// "hierarchy:controllers:path" line per hierarchy (one "0::path" line
/// under cgroup v2). Understands the layouts of the kubelet's cgroupfs and
/// systemd drivers (kubepods/…/pod<uid>/<id>,
/// kubepods.slice/…-pod<uid_with_underscores>.slice/…) with containerd
/// (cri-containerd-<id>.scope), CRI-O (crio-<id>.scope) and Docker
/// (docker-<id>.scope, /docker/<id>). Pure.
CgroupIdentity ParseCgroupIdentity(std::string_view cgroup_file);

}  // namespace halfopen
