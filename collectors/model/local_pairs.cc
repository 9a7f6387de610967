#include "collectors/model/local_pairs.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace halfopen {
namespace {

using Address = std::array<std::uint8_t, 16>;

// IPv4 addresses become ::ffff:a.b.c.d so that both families compare.
Address Canonical(std::uint8_t family, const Address& address) {
  if (family != AF_INET) return address;
  Address mapped{};
  mapped[10] = mapped[11] = 0xff;
  std::memcpy(mapped.data() + 12, address.data(), 4);
  return mapped;
}

bool IsMappedLoopback(const Address& a) {
  static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0,    0,
                                               0, 0, 0, 0, 0xff, 0xff};
  return std::equal(kPrefix, kPrefix + 12, a.begin()) && a[12] == 127;
}

bool IsIpv6Loopback(const Address& a) {
  return std::all_of(a.begin(), a.begin() + 15,
                     [](auto b) { return b == 0; }) &&
         a[15] == 1;
}

std::uint64_t Hash(const Address& a, std::uint16_t pa, const Address& b,
                   std::uint16_t pb) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  auto mix = [&h](const std::uint8_t* data, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  };
  mix(a.data(), 16);
  mix(reinterpret_cast<const std::uint8_t*>(&pa), 2);
  mix(b.data(), 16);
  mix(reinterpret_cast<const std::uint8_t*>(&pb), 2);
  return h ^ (h >> 29);
}

}  // namespace

void LocalAddresses::Add(std::uint8_t family, const std::uint8_t* address) {
  Address a{};
  std::memcpy(a.data(), address, family == AF_INET ? 4 : 16);
  addresses_.push_back(Canonical(family, a));
}

bool LocalAddresses::Contains(std::uint8_t family,
                              const Address& address) const {
  const Address a = Canonical(family, address);
  if (IsMappedLoopback(a) || IsIpv6Loopback(a)) return true;
  return std::find(addresses_.begin(), addresses_.end(), a) != addresses_.end();
}

LocalPairTable::LocalPairTable() : slots_(64) {}

LocalPairTable::End* LocalPairTable::Find(const SocketRecord& socket) {
  if ((used_ + 1) * 4 > slots_.size() * 3) Grow();
  const Address local = Canonical(socket.family, socket.local_address);
  const Address peer = Canonical(socket.family, socket.peer_address);
  const bool local_first =
      std::tie(local, socket.local_port) < std::tie(peer, socket.peer_port);
  const Address& a = local_first ? local : peer;
  const Address& b = local_first ? peer : local;
  const std::uint16_t pa = local_first ? socket.local_port : socket.peer_port;
  const std::uint16_t pb = local_first ? socket.peer_port : socket.local_port;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = Hash(a, pa, b, pb) & mask;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (!slot.used) {
      slot = Slot();
      slot.used = true;
      slot.address[0] = a;
      slot.address[1] = b;
      slot.port[0] = pa;
      slot.port[1] = pb;
      ++used_;
      return &slot.end[local_first ? 0 : 1];
    }
    if (slot.port[0] == pa && slot.port[1] == pb && slot.address[0] == a &&
        slot.address[1] == b) {
      return &slot.end[local_first ? 0 : 1];
    }
  }
}

void LocalPairTable::Clear() {
  for (Slot& slot : slots_) slot.used = false;
  used_ = 0;
}

void LocalPairTable::Grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (!slot.used) continue;
    std::size_t i =
        Hash(slot.address[0], slot.port[0], slot.address[1], slot.port[1]) &
        mask;
    while (slots_[i].used) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

void LocalPairTable::AddSocket(const SocketRecord& socket,
                               const Verdict& verdict, double eta_seconds) {
  End* end = Find(socket);
  end->full = true;
  end->family = socket.family;
  end->state = socket.state;
  end->established = socket.state == kTcpEstablished;
  end->counted = IsEstablishedLike(socket);
  end->reason = static_cast<std::uint8_t>(verdict.reason);
  end->score = static_cast<float>(verdict.score);
  end->eta_seconds = static_cast<float>(eta_seconds);
  end->silent = HALFOPEN_HAS_TCPI(socket, tcpi_last_ack_recv) &&
                socket.info.tcpi_last_ack_recv >= kLonelySilenceMs;
}

void LocalPairTable::AddRequest(const SocketRecord& socket, bool orphaned) {
  End* end = Find(socket);
  end->request = true;
  end->orphaned = end->orphaned || orphaned;
}

void LocalPairTable::Finish(const std::function<void(const PairEnd&)>& visit,
                            const ListeningCheck& listening) const {
  for (const Slot& slot : slots_) {
    if (!slot.used) continue;
    for (int i = 0; i < 2; ++i) {
      const End& end = slot.end[i];
      const End& other = slot.end[1 - i];
      if (!end.full || !end.counted) continue;
      PairEnd result{static_cast<Reason>(end.reason),
                     end.score,
                     end.eta_seconds,
                     end.family,
                     end.state,
                     slot.address[i],
                     slot.address[1 - i],
                     slot.port[i],
                     slot.port[1 - i]};
      if (end.family == AF_INET) {
        std::memmove(result.local_address.data(),
                     result.local_address.data() + 12, 4);
        std::memmove(result.peer_address.data(),
                     result.peer_address.data() + 12, 4);
      }
      const bool orphan = !other.full && other.request && other.orphaned;
      const bool missing =
          !other.full && !orphan && end.silent &&
          listening(result.family, result.peer_address, result.peer_port);
      if (end.established && (orphan || missing) &&
          kLocalPeerGoneScore > result.score) {
        result.reason =
            orphan ? Reason::kAcceptQueueOrphan : Reason::kPeerMissing;
        result.score = kLocalPeerGoneScore;
      }
      visit(result);
    }
  }
}

}  // namespace halfopen
