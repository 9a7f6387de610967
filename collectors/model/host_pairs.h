#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <tuple>
#include <unordered_map>

#include "model/address.h"
#include "model/socket_record.h"
#include "model/suspicion.h"
#include "model/suspicion_memory.h"
#include "model/top_suspects.h"

namespace halfopen {

/// Connections between two network namespaces of one host (pod to pod),
/// matched by their 4-tuple across the namespaces' walks of one collection,
/// as LocalPairTable matches them within one: an ESTABLISHED end whose
/// counterpart is gone gets peer_missing, one whose counterpart is only an
/// orphaned handshake accept_queue_orphan. To know which connections those
/// are it learns which namespace owns which address and listens where, and
/// remembers both for kRememberSeconds after a namespace vanishes, so that a
/// connection into a deleted namespace is found half-open. An address that
/// several namespaces hold is nobody's: it is never matched.
///
/// peer_missing is claimed only when the peer endpoint is a listener of the
/// namespace that owns it, so that a service address translated elsewhere
/// (a Kubernetes ClusterIP held by kube-proxy's IPVS interface, a DNAT) is
/// not mistaken for a vanished peer. Memory: O(addresses and listeners of
/// the namespaces + connections between them). One collection at a time:
/// Owner, AddSocket and AddRequest may be called from several namespaces'
/// walks at once (the walks of a collection run in parallel); every other
/// call only while no walk runs.
class HostPairs {
 public:
  static constexpr double kRememberSeconds = 600;

  explicit HostPairs(const SuspicionConfig& config);

  /// Starts a collection at `now_seconds`; the last one's connections go.
  void BeginCollection(double now_seconds);

  /// Namespace `netns` has `address` (not loopback) on an interface.
  void AddAddress(std::uint64_t netns, std::uint8_t family,
                  const Address& address);

  /// Namespace `netns` listens on `address`:`port` (0.0.0.0 and :: mean
  /// any of its addresses).
  void AddListener(std::uint64_t netns, std::uint8_t family,
                   const Address& address, std::uint16_t port);

  /// The namespace that owns `address`, now or remembered; 0 when none or
  /// several do.
  std::uint64_t Owner(std::uint8_t family, const Address& address) const;

  /// Namespace `netns` was not walked in this collection (its walk was put
  /// off): whether its connections are there is unknown, so connections
  /// to it are not judged missing.
  void NotWalked(std::uint64_t netns);

  /// A socket of namespace `netns` whose peer another namespace owns, with
  /// its own verdict (before persistence) and give-up ETA.
  void AddSocket(std::uint64_t netns, const SocketRecord& socket,
                 const Verdict& verdict, double eta_seconds);

  /// A SYN_RECV request of namespace `netns` whose peer another namespace
  /// owns; `orphaned` when it is retransmitted on a full listener.
  void AddRequest(std::uint64_t netns, const SocketRecord& socket,
                  bool orphaned);

  /// Decides every connection added since BeginCollection and returns, by
  /// namespace, its suspects among them: counts by reason and the top K
  /// (scores weighed by persistence). Forgets namespaces' addresses and
  /// listeners not seen for kRememberSeconds.
  std::map<std::uint64_t, SuspicionSummary> Finish();

 private:
  struct Endpoint {
    Address address;  // Canonical.
    std::uint16_t port = 0;
    auto operator<=>(const Endpoint&) const = default;
  };
  struct End {
    bool full = false, request = false, orphaned = false;
    std::uint64_t netns = 0;
    SocketRecord socket;
    Verdict verdict;
    double eta_seconds = 0;
  };
  struct Pair {
    Endpoint endpoint[2];  // Canonical order.
    End end[2];            // end[i]: the socket whose local endpoint is i.
  };
  struct Owned {
    std::uint64_t netns = 0;
    double seen = 0;
    std::uint64_t collection = 0;
    bool shared = false;  // Several namespaces hold it.
  };
  struct AddressHash {
    std::size_t operator()(const Address& a) const;
  };

  End* FindEnd(std::uint64_t netns, const SocketRecord& socket);
  bool Listens(std::uint64_t netns, const Endpoint& endpoint) const;
  void Decide(const Pair& pair, int i,
              std::map<std::uint64_t, SuspicionSummary>* summaries,
              std::map<std::uint64_t, TopSuspects>* tops);

  const SuspicionConfig config_;
  double now_ = 0;
  std::uint64_t collection_ = 0;
  std::unordered_map<Address, Owned, AddressHash> owners_;
  std::map<std::tuple<std::uint64_t, std::uint16_t, Address>, double>
      listeners_;        // (netns, port, canonical address) -> when last seen.
  std::mutex pairs_mu_;  // Guards pairs_ while walks add to it.
  std::unordered_map<std::uint64_t, Pair> pairs_;  // By 4-tuple fingerprint.
  std::set<std::uint64_t> not_walked_;             // In this collection.
  SuspicionMemory memory_;
};

}  // namespace halfopen
