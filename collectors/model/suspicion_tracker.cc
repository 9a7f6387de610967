#include "model/suspicion_tracker.h"

#include <algorithm>

#include "model/evidence.h"
#include "model/retransmit_chain.h"

namespace halfopen {
namespace {

bool IsRequest(const SocketRecord& socket) {
  return (socket.state == kTcpSynRecv || socket.state == kTcpNewSynRecv) &&
         socket.info.present == 0;
}

}  // namespace

SuspicionTracker::SuspicionTracker(const SuspicionConfig& config,
                                   const KernelSettings& settings,
                                   const LocalAddresses& local_addresses,
                                   const ListenerTable& listeners,
                                   LocalPairTable* pairs,
                                   SuspicionMemory* memory, double now_seconds,
                                   CrossNamespace cross)
    : config_(config),
      settings_(settings),
      local_addresses_(local_addresses),
      listeners_(listeners),
      pairs_(*pairs),
      memory_(*memory),
      top_(config.top_k, config.keep_addresses),
      cross_(cross) {
  pairs_.Clear();
  memory_.BeginWalk(now_seconds);
}

double SuspicionTracker::RoundTripLossTo(const SocketRecord& socket,
                                         const Address& peer) const {
  return std::max({RoundTripLoss(kPriorOneWayLoss), OwnRoundTripLoss(socket),
                   memory_.PeerRoundTripLoss(peer)});
}

double SuspicionTracker::Persisted(std::uint64_t id, const Verdict& verdict,
                                   unsigned unanswered, const Address& peer,
                                   double* age_seconds) {
  *age_seconds = 0;
  if (verdict.score > 0 && verdict.reason != Reason::kIdleUnprotected) {
    *age_seconds =
        memory_.Persist(id, verdict.reason, verdict.score, unanswered, peer);
    return verdict.score * PersistenceFactor(*age_seconds);
  }
  if (memory_.Remembers(id)) memory_.Clear(id);
  return verdict.score;
}

void SuspicionTracker::OnSocket(const SocketRecord& socket,
                                const Listener* listener) {
  if (socket.state == kTcpListen) return;
  const bool local_peer =
      local_addresses_.Contains(socket.family, socket.peer_address);
  // A peer in another namespace of this host: matched across namespaces.
  const bool cross_peer =
      !local_peer && cross_.pairs != nullptr &&
      cross_.pairs->Owner(socket.family, socket.peer_address) != 0;
  if (IsRequest(socket)) {
    const bool orphaned =
        listener != nullptr && listener->QueueFull() && socket.retrans > 0;
    if (local_peer) pairs_.AddRequest(socket, orphaned);
    if (cross_peer) cross_.pairs->AddRequest(cross_.netns, socket, orphaned);
    return;
  }
  const Address peer = Canonical(socket.family, socket.peer_address);
  // Only the probe and retransmission rules weigh the path's loss, and
  // only remembered peers pool records: most sockets skip both.
  if (memory_.peers() > 0) {
    memory_.AddPeerData(peer, PastData(socket), PastStalls(socket));
  }
  const bool weighs_loss = socket.timer == kTimerRetransmit ||
                           socket.timer == kTimerKeepalive ||
                           socket.timer == kTimerPersist;
  Verdict verdict = ScoreSocket(socket, config_.scoring,
                                weighs_loss ? RoundTripLossTo(socket, peer)
                                            : RoundTripLoss(kPriorOneWayLoss));
  if (verdict.score > 0 && verdict.reason == Reason::kIdleUnprotected) {
    ++summary_.idle_unprotected;
  }
  const double eta = verdict.score > 0 || local_peer || cross_peer
                         ? GiveUpEtaSeconds(socket, settings_)
                         : 0;
  if (local_peer) {
    const bool peer_listens =
        socket.state == kTcpEstablished &&
        listeners_.Listens(socket.family, socket.peer_address,
                           socket.peer_port);
    pairs_.AddSocket(socket, verdict, eta, peer_listens);
    return;
  }
  if (cross_peer) {
    cross_.pairs->AddSocket(cross_.netns, socket, verdict, eta);
    return;
  }
  double age_seconds = 0;
  verdict.score =
      Persisted(socket.cookie, verdict, UnansweredBehind(socket, verdict), peer,
                &age_seconds);
  if (verdict.score < config_.threshold) return;
  Suspect suspect{verdict.reason,      verdict.score,     eta,
                  socket.family,       socket.state,      socket.local_address,
                  socket.peer_address, socket.local_port, socket.peer_port,
                  socket.cookie};
  suspect.age_seconds = age_seconds;
  Count(suspect);
}

void SuspicionTracker::Count(const Suspect& suspect) {
  ++summary_.suspects[static_cast<std::size_t>(suspect.reason)];
  top_.Add(suspect);
}

SuspicionSummary SuspicionTracker::Finish() {
  pairs_.Finish([this](Suspect end) {
    end.score =
        Persisted(end.id, {end.reason, end.score}, 0, {}, &end.age_seconds);
    if (end.score >= config_.threshold) Count(end);
  });
  memory_.EndWalk();
  summary_.top = top_.Sorted();
  return summary_;
}

}  // namespace halfopen
