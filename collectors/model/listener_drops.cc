#include "model/listener_drops.h"

namespace halfopen {

void ListenerDrops::Apply(std::span<const DropSample> samples,
                          double started_seconds) {
  if (started_seconds < last_started_) return;
  last_started_ = started_seconds;
  ++serial_;
  untracked_ = 0;
  for (const DropSample& sample : samples) See(sample);
  Depart(serial_);
}

void ListenerDrops::See(const DropSample& sample) {
  auto found = members_.find(sample.cookie);
  if (found == members_.end()) {
    if (members_.size() >= kMaxMembers) {
      ++untracked_;
      return;
    }
    Group& group = groups_[sample.key];
    ++group.members;
    group.total += sample.drops;
    members_.emplace(sample.cookie,
                     Member{sample.key, sample.drops, serial_, 0});
    return;
  }
  Member& member = found->second;
  if (member.seen_in == serial_) return;  // Seen twice in one dump.
  // Unsigned arithmetic: a counter that wrapped past 2^32 still rises.
  const std::uint32_t rise = sample.drops - member.last;
  groups_[member.key].total += rise;
  member.last = sample.drops;
  member.seen_in = serial_;
  member.missed = 0;
}

void ListenerDrops::Depart(std::uint64_t serial) {
  for (auto it = members_.begin(); it != members_.end();) {
    Member& member = it->second;
    if (member.seen_in == serial || ++member.missed < kMissedDumpsToDepart) {
      ++it;
      continue;
    }
    // Its count stays in the group's total for as long as the group lives.
    const auto group = groups_.find(member.key);
    if (group != groups_.end() && --group->second.members == 0) {
      groups_.erase(group);
    }
    it = members_.erase(it);
  }
}

std::optional<std::uint64_t> ListenerDrops::Total(
    const ListenerKey& key) const {
  const auto found = groups_.find(key);
  if (found == groups_.end()) return std::nullopt;
  return found->second.total;
}

std::uint64_t ListenerDrops::FoldOthers(std::span<const ListenerKey> folded) {
  for (const ListenerKey& key : folded) {
    const auto found = groups_.find(key);
    if (found != groups_.end()) {
      other_ += found->second.total - found->second.folded_mark;
    }
  }
  for (auto& [key, group] : groups_) group.folded_mark = group.total;
  return other_;
}

}  // namespace halfopen
