#include "model/host_pairs.h"

#include <cstring>

#include "model/evidence.h"
#include "model/local_pairs.h"

namespace halfopen {
namespace {

std::uint64_t Fingerprint(const Address& a, std::uint16_t pa, const Address& b,
                          std::uint16_t pb) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  auto mix = [&h](const void* data, std::size_t size) {
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    for (std::size_t i = 0; i < size; ++i)
      h = (h ^ bytes[i]) * 1099511628211ull;
  };
  mix(a.data(), a.size());
  mix(&pa, sizeof pa);
  mix(b.data(), b.size());
  mix(&pb, sizeof pb);
  return h;
}

}  // namespace

std::size_t HostPairs::AddressHash::operator()(const Address& a) const {
  std::uint64_t words[2];
  std::memcpy(words, a.data(), sizeof words);
  return static_cast<std::size_t>((words[0] * 0x9e3779b97f4a7c15ull) ^
                                  words[1]);
}

HostPairs::HostPairs(const SuspicionConfig& config) : config_(config) {}

void HostPairs::BeginCollection(double now_seconds) {
  now_ = now_seconds;
  ++collection_;
  pairs_.clear();
  not_walked_.clear();
  memory_.BeginWalk(now_seconds);
}

void HostPairs::AddAddress(std::uint64_t netns, std::uint8_t family,
                           const Address& address) {
  auto [it, added] = owners_.try_emplace(Canonical(family, address));
  Owned& owned = it->second;
  if (!added && owned.collection == collection_ && owned.netns != netns) {
    owned.shared = true;
  } else if (added || owned.collection != collection_) {
    owned.netns = netns;  // The namespace that holds it now wins.
    owned.shared = false;
  }
  owned.collection = collection_;
  owned.seen = now_;
}

void HostPairs::AddListener(std::uint64_t netns, std::uint8_t family,
                            const Address& address, std::uint16_t port) {
  listeners_[{netns, port, Canonical(family, address)}] = now_;
}

std::uint64_t HostPairs::Owner(std::uint8_t family,
                               const Address& address) const {
  if (owners_.empty()) return 0;
  const auto it = owners_.find(Canonical(family, address));
  if (it == owners_.end() || it->second.shared) return 0;
  return it->second.netns;
}

bool HostPairs::Listens(std::uint64_t netns, const Endpoint& endpoint) const {
  const Address any_v4 = Canonical(kFamilyIpv4, Address{});
  const Address any_v6{};  // [::] takes IPv4 too, as the dump cannot say.
  const bool v4 = IsMappedFrom(
      endpoint.address, Address{endpoint.address[12], endpoint.address[13],
                                endpoint.address[14], endpoint.address[15]});
  for (const Address& address :
       {endpoint.address, v4 ? any_v4 : any_v6, any_v6}) {
    if (listeners_.contains({netns, endpoint.port, address})) return true;
  }
  return false;
}

void HostPairs::NotWalked(std::uint64_t netns) { not_walked_.insert(netns); }

HostPairs::End* HostPairs::FindEnd(std::uint64_t netns,
                                   const SocketRecord& socket) {
  const Endpoint local{Canonical(socket.family, socket.local_address),
                       socket.local_port};
  const Endpoint peer{Canonical(socket.family, socket.peer_address),
                      socket.peer_port};
  const bool local_first = local < peer;
  const Endpoint& first = local_first ? local : peer;
  const Endpoint& second = local_first ? peer : local;
  Pair& pair = pairs_[Fingerprint(first.address, first.port, second.address,
                                  second.port)];
  pair.endpoint[0] = first;
  pair.endpoint[1] = second;
  End* end = &pair.end[local_first ? 0 : 1];
  end->netns = netns;
  return end;
}

void HostPairs::AddSocket(std::uint64_t netns, const SocketRecord& socket,
                          const Verdict& verdict, double eta_seconds) {
  std::lock_guard<std::mutex> lock(pairs_mu_);
  End* end = FindEnd(netns, socket);
  end->full = true;
  end->socket = socket;
  end->verdict = verdict;
  end->eta_seconds = eta_seconds;
}

void HostPairs::AddRequest(std::uint64_t netns, const SocketRecord& socket,
                           bool orphaned) {
  std::lock_guard<std::mutex> lock(pairs_mu_);
  End* end = FindEnd(netns, socket);
  end->request = true;
  end->orphaned = end->orphaned || orphaned;
}

void HostPairs::Decide(const Pair& pair, int i,
                       std::map<std::uint64_t, SuspicionSummary>* summaries,
                       std::map<std::uint64_t, TopSuspects>* tops) {
  const End& end = pair.end[i];
  const End& other = pair.end[1 - i];
  const SocketRecord& socket = end.socket;
  Verdict verdict = end.verdict;
  const bool gone = !other.full;
  const bool orphan = gone && other.request && other.orphaned;
  const bool silent = socket.info.Has(TcpInfo::kLastAckRecv) &&
                      socket.info.last_ack_recv_ms >= kLonelySilenceMs;
  const Endpoint& peer = pair.endpoint[1 - i];
  const std::uint64_t peer_netns =
      other.netns != 0 ? other.netns
                       : Owner(socket.family, socket.peer_address);
  const bool missing = gone && !orphan && silent &&
                       !not_walked_.contains(peer_netns) &&
                       Listens(peer_netns, peer);
  if (socket.state == kTcpEstablished && (orphan || missing) &&
      kLocalPeerGoneScore > verdict.score) {
    verdict = {orphan ? Reason::kAcceptQueueOrphan : Reason::kPeerMissing,
               kLocalPeerGoneScore};
  }
  double score = verdict.score;
  double age_seconds = 0;
  if (score > 0 && verdict.reason != Reason::kIdleUnprotected) {
    age_seconds = memory_.Persist(socket.cookie, verdict.reason, verdict.score,
                                  0, Address{});
    score *= PersistenceFactor(age_seconds);
  } else if (memory_.Remembers(socket.cookie)) {
    memory_.Clear(socket.cookie);
  }
  if (score < config_.threshold) return;
  ++(*summaries)[end.netns].suspects[static_cast<std::size_t>(verdict.reason)];
  Suspect suspect{verdict.reason,      score,
                  end.eta_seconds,     socket.family,
                  socket.state,        socket.local_address,
                  socket.peer_address, socket.local_port,
                  socket.peer_port,    socket.cookie};
  suspect.age_seconds = age_seconds;
  tops->try_emplace(end.netns, config_.top_k, config_.keep_addresses)
      .first->second.Add(suspect);
}

std::map<std::uint64_t, SuspicionSummary> HostPairs::Finish() {
  std::map<std::uint64_t, SuspicionSummary> summaries;
  std::map<std::uint64_t, TopSuspects> tops;
  for (const auto& [fingerprint, pair] : pairs_) {
    for (int i = 0; i < 2; ++i) {
      if (pair.end[i].full) Decide(pair, i, &summaries, &tops);
    }
  }
  memory_.EndWalk();
  for (auto& [netns, top] : tops) summaries[netns].top = top.Sorted();
  std::erase_if(owners_, [this](const auto& entry) {
    return now_ - entry.second.seen > kRememberSeconds;
  });
  std::erase_if(listeners_, [this](const auto& entry) {
    return now_ - entry.second > kRememberSeconds;
  });
  return summaries;
}

}  // namespace halfopen
