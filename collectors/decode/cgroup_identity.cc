#include "decode/cgroup_identity.h"

#include <algorithm>
#include <vector>

namespace halfopen {
namespace {

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// A container ID: 64 lowercase hex digits.
bool IsContainerId(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), IsHex);
}

// A pod UID: 8-4-4-4-12 hex digits, with '-' or (systemd) '_' between.
bool IsPodUid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool separator = i == 8 || i == 13 || i == 18 || i == 23;
    if (separator ? (text[i] != '-' && text[i] != '_') : !IsHex(text[i])) {
      return false;
    }
  }
  return true;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const std::size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

// "kubepods-burstable-pod<uid>.slice" or "pod<uid>" -> "<uid>" with dashes.
std::string PodUidOf(std::string_view component) {
  if (component.size() > 6 &&
      component.substr(component.size() - 6) == ".slice") {
    component.remove_suffix(6);
  }
  const std::size_t at = component.rfind("pod");
  if (at == std::string_view::npos) return "";
  const std::string_view uid = component.substr(at + 3);
  if (!IsPodUid(uid)) return "";
  std::string dashed(uid);
  std::replace(dashed.begin(), dashed.end(), '_', '-');
  return dashed;
}

// "cri-containerd-<id>.scope", "crio-<id>.scope", "docker-<id>.scope" or a
// bare "<id>" -> "<id>".
std::string ContainerIdOf(std::string_view component) {
  if (component.size() > 6 &&
      component.substr(component.size() - 6) == ".scope") {
    component.remove_suffix(6);
  }
  const std::size_t dash = component.rfind('-');
  const std::string_view id =
      dash == std::string_view::npos ? component : component.substr(dash + 1);
  return IsContainerId(id) ? std::string(id) : "";
}

}  // namespace

CgroupIdentity ParseCgroupIdentity(std::string_view cgroup_file) {
  CgroupIdentity identity;
  for (std::string_view line : Split(cgroup_file, '\n')) {
    // hierarchy-ID:controller-list:path; the path may itself hold ':'.
    const std::size_t first = line.find(':');
    const std::size_t second = first == std::string_view::npos
                                   ? std::string_view::npos
                                   : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    for (std::string_view component : Split(line.substr(second + 1), '/')) {
      if (identity.pod_uid.empty()) identity.pod_uid = PodUidOf(component);
      if (identity.container_id.empty()) {
        identity.container_id = ContainerIdOf(component);
      }
    }
    if (!identity.pod_uid.empty() || !identity.container_id.empty()) break;
  }
  return identity;
}

}  // namespace halfopen
