#include "model/suspicion_tracker.h"

#include <algorithm>
#include <tuple>

namespace halfopen {
namespace {

// Orders suspects best first: higher score, then sooner give-up, then the
// endpoints, so that equal scores rank the same on every scrape.
bool Better(const Suspect& a, const Suspect& b) {
  return std::tie(b.score, a.eta_seconds, a.local_port, a.peer_port,
                  a.local_address, a.peer_address) <
         std::tie(a.score, b.eta_seconds, b.local_port, b.peer_port,
                  b.local_address, b.peer_address);
}

// Whether two suspects would render with the same labels: reason, state and
// ports, plus the addresses (and so the family) only when they are exposed.
bool SameSeries(const Suspect& a, const Suspect& b, bool with_addresses) {
  return a.reason == b.reason && a.state == b.state &&
         a.local_port == b.local_port && a.peer_port == b.peer_port &&
         (!with_addresses ||
          (a.family == b.family && a.local_address == b.local_address &&
           a.peer_address == b.peer_address));
}

bool IsRequest(const SocketRecord& socket) {
  return (socket.state == kTcpSynRecv || socket.state == kTcpNewSynRecv) &&
         socket.info.present == 0;
}

}  // namespace

SuspicionTracker::SuspicionTracker(const SuspicionConfig& config,
                                   const KernelSettings& settings,
                                   const LocalAddresses& local_addresses,
                                   const ListenerTable& listeners,
                                   LocalPairTable* pairs)
    : config_(config),
      settings_(settings),
      local_addresses_(local_addresses),
      listeners_(listeners),
      pairs_(*pairs) {
  pairs_.Clear();
  summary_.top.reserve(config_.top_k + 1);
}

void SuspicionTracker::OnSocket(const SocketRecord& socket,
                                const Listener* listener) {
  if (socket.state == kTcpListen) return;
  const bool local_peer =
      local_addresses_.Contains(socket.family, socket.peer_address);
  if (IsRequest(socket)) {
    if (local_peer) {
      pairs_.AddRequest(socket, listener != nullptr && listener->QueueFull() &&
                                    socket.retrans > 0);
    }
    return;
  }
  const Verdict verdict = ScoreSocket(socket, config_.scoring);
  if (verdict.score > 0 && verdict.reason == Reason::kIdleUnprotected) {
    ++summary_.idle_unprotected;
  }
  const double eta =
      verdict.score > 0 || local_peer ? GiveUpEtaSeconds(socket, settings_) : 0;
  if (local_peer) {
    const bool peer_listens =
        socket.state == kTcpEstablished &&
        listeners_.Listens(socket.family, socket.peer_address,
                           socket.peer_port);
    pairs_.AddSocket(socket, verdict, eta, peer_listens);
    return;
  }
  if (verdict.score < config_.threshold) return;
  Count({verdict.reason, verdict.score, eta, socket.family, socket.state,
         socket.local_address, socket.peer_address, socket.local_port,
         socket.peer_port});
}

void SuspicionTracker::Count(Suspect suspect) {
  ++summary_.suspects[static_cast<std::size_t>(suspect.reason)];
  if (config_.top_k == 0) return;
  if (!config_.keep_addresses)
    suspect.local_address = suspect.peer_address = {};
  auto& top = summary_.top;
  for (Suspect& kept : top) {
    if (!SameSeries(kept, suspect, config_.keep_addresses)) continue;
    // One series for both: the better one's values, both connections.
    const std::uint32_t connections = kept.connections + suspect.connections;
    if (Better(suspect, kept)) kept = suspect;
    kept.connections = connections;
    std::make_heap(top.begin(), top.end(), Better);
    return;
  }
  if (top.size() == config_.top_k && !Better(suspect, top.front())) return;
  // top is a heap whose front is the worst kept suspect.
  top.push_back(suspect);
  std::push_heap(top.begin(), top.end(), Better);
  if (top.size() > config_.top_k) {
    std::pop_heap(top.begin(), top.end(), Better);
    top.pop_back();
  }
}

SuspicionSummary SuspicionTracker::Finish() {
  pairs_.Finish([this](const Suspect& end) {
    if (end.score >= config_.threshold) Count(end);
  });
  std::sort_heap(summary_.top.begin(), summary_.top.end(), Better);
  return summary_;
}

}  // namespace halfopen
