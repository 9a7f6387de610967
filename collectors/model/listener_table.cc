#include "model/listener_table.h"

#include <algorithm>

namespace halfopen {
namespace {

// How well `listener` matches a handshake to (family, address): higher is
// more specific, 0 is no match.
int MatchScore(const Listener& listener, std::uint8_t family,
               const Address& address) {
  const bool v4 = family == kFamilyIpv4;
  if (listener.family == family) {
    const std::size_t size = v4 ? 4 : 16;
    if (std::equal(address.begin(), address.begin() + size,
                   listener.address.begin())) {
      return 4;
    }
    if (IsUnspecified(listener.address, size)) return 2;
    return 0;
  }
  if (v4 && listener.family == kFamilyIpv6) {
    if (IsMappedFrom(listener.address, address)) return 3;
    if (IsUnspecified(listener.address, 16)) return 1;
  }
  return 0;
}

}  // namespace

ListenerKey ListenerKey::Of(const Listener& listener) {
  return {listener.family, listener.address, listener.port, listener.device};
}

std::size_t ListenerKeyHash::operator()(const ListenerKey& key) const {
  // FNV-1a over the fields; listeners are few and keys small.
  std::uint64_t hash = 1469598103934665603ull;
  auto mix = [&hash](std::uint64_t byte) {
    hash ^= byte;
    hash *= 1099511628211ull;
  };
  mix(key.family);
  for (const std::uint8_t byte : key.address) mix(byte);
  mix(key.port & 0xff);
  mix(key.port >> 8);
  for (int shift = 0; shift < 32; shift += 8) mix((key.device >> shift) & 0xff);
  return static_cast<std::size_t>(hash);
}

ListenerKey ListenerKey::Of(const SocketRecord& socket) {
  return {socket.family, socket.local_address, socket.local_port,
          socket.bound_interface};
}

void ListenerTable::AddListener(const SocketRecord& socket) {
  Listener* group = nullptr;
  const auto [first, last] = by_port_.equal_range(socket.local_port);
  for (auto it = first; it != last && group == nullptr; ++it) {
    Listener& candidate = listeners_[it->second];
    if (candidate.family == socket.family &&
        candidate.address == socket.local_address &&
        candidate.device == socket.bound_interface) {
      group = &candidate;
    }
  }
  if (group == nullptr) {
    by_port_.emplace(socket.local_port, listeners_.size());
    group = &listeners_.emplace_back();
    group->family = socket.family;
    group->address = socket.local_address;
    group->port = socket.local_port;
    group->device = socket.bound_interface;
  }
  ++group->sockets;
  group->inodes.push_back(socket.inode);
  group->queue_length += socket.rqueue;
  group->queue_limit += socket.wqueue;
  group->max_fill =
      std::max(group->max_fill,
               socket.rqueue / (static_cast<double>(socket.wqueue) + 1));
}

bool ListenerTable::Listens(std::uint8_t family, const Address& address,
                            std::uint16_t port) const {
  const auto [first, last] = by_port_.equal_range(port);
  for (auto it = first; it != last; ++it) {
    if (MatchScore(listeners_[it->second], family, address) > 0) return true;
  }
  return false;
}

const Listener* ListenerTable::AttributeHandshake(const SocketRecord& socket) {
  Listener* best = nullptr;
  int best_score = 0;
  const auto [first, last] = by_port_.equal_range(socket.local_port);
  for (auto it = first; it != last; ++it) {
    Listener& candidate = listeners_[it->second];
    const int score =
        MatchScore(candidate, socket.family, socket.local_address);
    if (score == 0) continue;
    // Of equal scores the first listener seen wins (the multimap's order
    // is not that), i.e. the lowest index.
    if (score > best_score || (score == best_score && &candidate < best)) {
      best = &candidate;
      best_score = score;
    }
  }
  if (best == nullptr) {
    ++unattributed_;
    return nullptr;
  }
  ++best->syn_recv;
  if (socket.retrans > 0) {
    ++best->syn_recv_retransmitting;
    if (best->QueueFull()) ++best->orphaned_handshakes;
  }
  return best;
}

}  // namespace halfopen
