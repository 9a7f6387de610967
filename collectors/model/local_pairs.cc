#include "model/local_pairs.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace halfopen {
namespace {

// A 64-bit fingerprint of the 4-tuple, a word at a time (a byte-wise hash
// cost more than the table's cache misses at 600k sockets): each word is
// folded in with a multiply, and MurmurHash3's 64-bit finaliser spreads the
// result over every bit, since the top bits pick the shard and the low bits
// the slot.
std::uint64_t Hash(const Address& a, std::uint16_t pa, const Address& b,
                   std::uint16_t pb) {
  std::uint64_t words[4];
  std::memcpy(&words[0], a.data(), 16);
  std::memcpy(&words[2], b.data(), 16);
  std::uint64_t h = 0x243f6a8885a308d3ull ^ (std::uint64_t{pa} << 16 | pb);
  for (const std::uint64_t word : words) {
    h = (h ^ word) * 0x9e3779b97f4a7c15ull;
    h ^= h >> 32;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 33);
}

}  // namespace

void LocalAddresses::Add(std::uint8_t family, const std::uint8_t* address) {
  Address a{};
  std::memcpy(a.data(), address, family == kFamilyIpv4 ? 4 : 16);
  addresses_.push_back(Canonical(family, a));
}

bool LocalAddresses::Contains(std::uint8_t family,
                              const Address& address) const {
  if (IsLoopback(family, address)) return true;
  const Address a = Canonical(family, address);
  return std::find(addresses_.begin(), addresses_.end(), a) != addresses_.end();
}

LocalPairTable::LocalPairTable(bool keep_addresses)
    : keep_addresses_(keep_addresses) {}

void LocalPairTable::Clear() {
  for (Shard& shard : shards_) {
    for (Slot& slot : shard.slots) slot.key = 0;
    shard.used = 0;
  }
  pending_count_ = 0;  // what an abandoned walk left queued
}

LocalPairTable::Pending& LocalPairTable::Queue(const SocketRecord& socket) {
  Pending& pending = pending_[pending_count_];
  const Address local = Canonical(socket.family, socket.local_address);
  const Address peer = Canonical(socket.family, socket.peer_address);
  const bool local_first =
      std::tie(local, socket.local_port) < std::tie(peer, socket.peer_port);
  const Address& a = local_first ? local : peer;
  const Address& b = local_first ? peer : local;
  pending.port[0] = local_first ? socket.local_port : socket.peer_port;
  pending.port[1] = local_first ? socket.peer_port : socket.local_port;
  pending.key = Hash(a, pending.port[0], b, pending.port[1]) | 1;  // never 0
  pending.side = local_first ? 0 : 1;
  if (keep_addresses_) pending.addresses = {a, b};
  const Shard& shard = shards_[pending.key >> (64 - kShardBits)];
  if (!shard.slots.empty()) {
    __builtin_prefetch(&shard.slots[pending.key & (shard.slots.size() - 1)]);
  }
  return pending;
}

void LocalPairTable::Queued() {
  if (++pending_count_ == kBatch) Flush();
}

void LocalPairTable::Flush() {
  for (std::size_t p = 0; p < pending_count_; ++p) {
    const Pending& pending = pending_[p];
    End& end = Find(pending)->end[pending.side];
    if (pending.request) {
      end.bits |= pending.end.bits;
    } else {
      const std::uint8_t kept = end.bits & (kRequest | kOrphaned);
      end = pending.end;
      end.bits |= kept;
    }
  }
  pending_count_ = 0;
}

LocalPairTable::Slot* LocalPairTable::Find(const Pending& pending) {
  Shard& shard = shards_[pending.key >> (64 - kShardBits)];
  if ((shard.used + 1) * 4 > shard.slots.size() * 3) Grow(&shard);
  const std::size_t mask = shard.slots.size() - 1;
  for (std::size_t i = pending.key & mask;; i = (i + 1) & mask) {
    Slot& slot = shard.slots[i];
    if (slot.key == 0) {
      slot = Slot();
      slot.key = pending.key;
      slot.port[0] = pending.port[0];
      slot.port[1] = pending.port[1];
      if (keep_addresses_) shard.addresses[i] = pending.addresses;
      ++shard.used;
      return &slot;
    }
    if (slot.key == pending.key && slot.port[0] == pending.port[0] &&
        slot.port[1] == pending.port[1]) {
      return &slot;
    }
  }
}

void LocalPairTable::Grow(Shard* shard) {
  std::vector<Slot> old(std::max<std::size_t>(16, shard->slots.size() * 2));
  old.swap(shard->slots);
  std::vector<std::array<Address, 2>> old_addresses;
  if (keep_addresses_) {
    old_addresses.resize(shard->slots.size());
    old_addresses.swap(shard->addresses);
  }
  const std::size_t mask = shard->slots.size() - 1;
  for (std::size_t j = 0; j < old.size(); ++j) {
    if (old[j].key == 0) continue;
    std::size_t i = old[j].key & mask;
    while (shard->slots[i].key != 0) i = (i + 1) & mask;
    shard->slots[i] = old[j];
    if (keep_addresses_) shard->addresses[i] = old_addresses[j];
  }
}

void LocalPairTable::AddSocket(const SocketRecord& socket,
                               const Verdict& verdict, double eta_seconds,
                               bool peer_listens) {
  Pending& pending = Queue(socket);
  const bool silent = socket.info.Has(TcpInfo::kLastAckRecv) &&
                      socket.info.last_ack_recv_ms >= kLonelySilenceMs;
  pending.request = false;
  pending.end.bits = static_cast<std::uint8_t>(
      kFull | (socket.state == kTcpEstablished ? kEstablished : 0) |
      (silent ? kSilent : 0) | (peer_listens ? kPeerListens : 0) |
      (socket.family == kFamilyIpv6 ? kIpv6 : 0));
  pending.end.reason_state = static_cast<std::uint8_t>(
      static_cast<unsigned>(verdict.reason) << 4 | (socket.state & 0x0f));
  pending.end.score =
      static_cast<std::uint16_t>(std::lround(verdict.score * 10000));
  pending.end.eta_ms = std::isinf(eta_seconds) || eta_seconds >= 4e6
                           ? UINT32_MAX
                           : static_cast<std::uint32_t>(eta_seconds * 1000);
  Queued();
}

void LocalPairTable::AddRequest(const SocketRecord& socket, bool orphaned) {
  Pending& pending = Queue(socket);
  pending.request = true;
  pending.end = End();
  pending.end.bits =
      static_cast<std::uint8_t>(kRequest | (orphaned ? kOrphaned : 0));
  Queued();
}

void LocalPairTable::Finish(const std::function<void(const Suspect&)>& visit) {
  Flush();
  for (const Shard& shard : shards_) {
    Visit(shard, visit);
  }
}

void LocalPairTable::Visit(
    const Shard& shard,
    const std::function<void(const Suspect&)>& visit) const {
  for (std::size_t s = 0; s < shard.slots.size(); ++s) {
    const Slot& slot = shard.slots[s];
    if (slot.key == 0) continue;
    for (int i = 0; i < 2; ++i) {
      const End& end = slot.end[i];
      const std::uint8_t other = slot.end[1 - i].bits;
      if (!(end.bits & kFull)) continue;
      const std::uint8_t family =
          (end.bits & kIpv6) ? kFamilyIpv6 : kFamilyIpv4;
      Suspect result{static_cast<Reason>(end.reason_state >> 4),
                     end.score / 10000.0,
                     end.eta_ms == UINT32_MAX
                         ? std::numeric_limits<double>::infinity()
                         : end.eta_ms / 1000.0,
                     family,
                     static_cast<std::uint8_t>(end.reason_state & 0x0f),
                     {},
                     {},
                     slot.port[i],
                     slot.port[1 - i],
                     slot.key + static_cast<std::uint64_t>(i)};
      if (keep_addresses_) {
        result.local_address = shard.addresses[s][i];
        result.peer_address = shard.addresses[s][1 - i];
        if (family == kFamilyIpv4) {
          std::memmove(result.local_address.data(),
                       result.local_address.data() + 12, 4);
          std::memmove(result.peer_address.data(),
                       result.peer_address.data() + 12, 4);
        }
      }
      const bool gone = !(other & kFull);
      const bool orphan = gone && (other & kRequest) && (other & kOrphaned);
      const bool missing =
          gone && !orphan && (end.bits & kSilent) && (end.bits & kPeerListens);
      if ((end.bits & kEstablished) && (orphan || missing) &&
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
