#include "model/suspicion_memory.h"

#include <algorithm>
#include <cstring>

#include "model/evidence.h"

namespace halfopen {
namespace {

// A Beta prior worth five probes, centred on the prior round-trip loss.
constexpr double kPriorWeight = 5;
// Pooled data counts below this say too little about the path.
constexpr double kMinDataSegments = 50;

}  // namespace

std::size_t SuspicionMemory::AddressHash::operator()(const Address& a) const {
  std::uint64_t words[2];
  std::memcpy(words, a.data(), sizeof words);
  return static_cast<std::size_t>((words[0] * 0x9e3779b97f4a7c15ull) ^
                                  words[1]);
}

void SuspicionMemory::BeginWalk(double now_seconds) {
  now_ = now_seconds;
  ++walk_;
}

double SuspicionMemory::Persist(std::uint64_t id, Reason reason, double level,
                                unsigned probes, const Address& peer) {
  auto it = connections_.find(id);
  if (it == connections_.end()) {
    if (connections_.size() >= kMaxConnections) return 0;
    it = connections_
             .emplace(id, Connection{reason, level, probes, now_, walk_, peer})
             .first;
  } else {
    Connection& known = it->second;
    if (probes < known.probes) EndRun(known);  // Answered, then lost again.
    if (reason != known.reason || level < known.level) known.since = now_;
    known.reason = reason;
    known.level = level;
    known.probes = probes;
    known.walk = walk_;
  }
  if (probes > 0) {
    auto [peer_it, added] = peers_.try_emplace(peer);
    if (added && peers_.size() > kMaxPeers) {
      peers_.erase(peer_it);
    } else {
      peer_it->second.heard = now_;
    }
  }
  return now_ - it->second.since;
}

bool SuspicionMemory::Remembers(std::uint64_t id) const {
  return !connections_.empty() && connections_.contains(id);
}

void SuspicionMemory::Clear(std::uint64_t id) {
  const auto it = connections_.find(id);
  if (it == connections_.end()) return;
  EndRun(it->second);
  connections_.erase(it);
}

void SuspicionMemory::EndRun(const Connection& connection) {
  if (connection.probes == 0) return;
  const auto peer = peers_.find(connection.peer);
  if (peer == peers_.end()) return;
  peer->second.continued += connection.probes - 1;
  peer->second.answered += 1;
}

void SuspicionMemory::AddPeerData(const Address& peer,
                                  std::uint32_t retransmitted,
                                  std::uint32_t sent) {
  if (peers_.empty()) return;
  const auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  it->second.retransmitted += retransmitted;
  it->second.sent += sent;
}

double SuspicionMemory::PeerRoundTripLoss(const Address& peer) const {
  if (peers_.empty()) return 0;
  const auto it = peers_.find(peer);
  if (it == peers_.end()) return 0;
  const Peer& p = it->second;
  double loss = 0;
  if (p.answered > 0) {
    const double prior = RoundTripLoss(kPriorOneWayLoss);
    loss = (p.continued + prior * kPriorWeight) /
           (p.continued + p.answered + kPriorWeight);
  }
  if (p.last_sent >= kMinDataSegments) {
    loss = std::max(loss, RoundTripLoss(p.last_retransmitted / p.last_sent));
  }
  return loss;
}

void SuspicionMemory::EndWalk() {
  std::erase_if(connections_, [this](const auto& entry) {
    return entry.second.walk != walk_;
  });
  for (auto it = peers_.begin(); it != peers_.end();) {
    Peer& peer = it->second;
    if (now_ - peer.heard > kPeerMemorySeconds) {
      it = peers_.erase(it);
      continue;
    }
    peer.last_retransmitted = peer.retransmitted;
    peer.last_sent = peer.sent;
    peer.retransmitted = peer.sent = 0;
    ++it;
  }
}

}  // namespace halfopen
