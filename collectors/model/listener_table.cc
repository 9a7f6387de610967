#include "collectors/model/listener_table.h"

#include <sys/socket.h>

#include <algorithm>

namespace halfopen {
namespace {

using Address = std::array<std::uint8_t, 16>;

bool IsZero(const std::uint8_t* bytes, std::size_t size) {
  return std::all_of(bytes, bytes + size,
                     [](std::uint8_t b) { return b == 0; });
}

// True for ::ffff:a.b.c.d holding the IPv4 address in `v4`.
bool IsMappedFrom(const Address& v6, const Address& v4) {
  static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0,    0,
                                               0, 0, 0, 0, 0xff, 0xff};
  return std::equal(kPrefix, kPrefix + 12, v6.begin()) &&
         std::equal(v4.begin(), v4.begin() + 4, v6.begin() + 12);
}

// How well `listener` matches a handshake to (family, address): higher is
// more specific, 0 is no match.
int MatchScore(const Listener& listener, std::uint8_t family,
               const Address& address) {
  const bool v4 = family == AF_INET;
  if (listener.family == family) {
    const std::size_t size = v4 ? 4 : 16;
    if (std::equal(address.begin(), address.begin() + size,
                   listener.address.begin())) {
      return 4;
    }
    if (IsZero(listener.address.data(), size)) return 2;
    return 0;
  }
  if (v4 && listener.family == AF_INET6) {
    if (IsMappedFrom(listener.address, address)) return 3;
    if (IsZero(listener.address.data(), 16)) return 1;
  }
  return 0;
}

}  // namespace

void ListenerTable::AddListener(const SocketRecord& socket) {
  Listener listener;
  listener.family = socket.family;
  listener.address = socket.local_address;
  listener.port = socket.local_port;
  listener.queue_length = socket.rqueue;
  listener.queue_limit = socket.wqueue;
  by_port_.emplace(listener.port, listeners_.size());
  listeners_.push_back(listener);
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
