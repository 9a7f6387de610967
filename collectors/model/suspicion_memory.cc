#include "model/suspicion_memory.h"

#include <algorithm>
#include <cstring>

#include "model/evidence.h"

namespace halfopen {
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
                                unsigned unanswered, const Address& peer) {
  auto it = connections_.find(id);
  if (it == connections_.end()) {
    if (connections_.size() >= kMaxConnections) return 0;
    it = connections_
             .emplace(id,
                      Connection{reason, level, unanswered, now_, walk_, peer})
             .first;
  } else {
    Connection& known = it->second;
    // Runs of different reasons count different round trips.
    const bool answered =
        reason == known.reason && unanswered < known.unanswered;
    if (answered) EndRun(known);  // Answered, then lost again.
    // A run's level moves with the path's loss estimate too; only an answer
    // is the evidence dropping.
    const bool dropped =
        unanswered > 0 || known.unanswered > 0 ? answered : level < known.level;
    if (reason != known.reason || dropped) known.since = now_;
    known.reason = reason;
    known.level = level;
    known.unanswered = unanswered;
    known.walk = walk_;
  }
  if (unanswered > 0) {
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
  // An RTO chain is remembered only once a retry has failed, so the chains
  // seen to end are the long ones: as a record of the path they would
  // overstate its loss. The kernel counts every chain (PastStalls).
  if (connection.unanswered == 0 ||
      connection.reason == Reason::kRetransmitStall) {
    return;
  }
  const auto peer = peers_.find(connection.peer);
  if (peer == peers_.end()) return;
  peer->second.runs.continued += connection.unanswered - 1;
  peer->second.runs.answered += 1;
}

void SuspicionMemory::AddPeerData(const Address& peer, const DataRecord& data,
                                  const RunRecord& stalls) {
  if (peers_.empty()) return;
  const auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  Peer& p = it->second;
  p.data.retransmitted += data.retransmitted;
  p.data.sent += data.sent;
  p.stalls.continued += stalls.continued;
  p.stalls.answered += stalls.answered;
}

double SuspicionMemory::PeerRoundTripLoss(const Address& peer) const {
  if (peers_.empty()) return 0;
  const auto it = peers_.find(peer);
  if (it == peers_.end()) return 0;
  const Peer& p = it->second;
  const double from_data =
      p.last_data.sent > 0 ? RoundTripLoss(DataLoss(p.last_data)) : 0;
  return std::max({RunLoss(p.runs), from_data, RunLoss(p.last_stalls)});
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
    peer.last_data = peer.data;
    peer.last_stalls = peer.stalls;
    peer.data = {};
    peer.stalls = {};
    ++it;
  }
}

}  // namespace halfopen
