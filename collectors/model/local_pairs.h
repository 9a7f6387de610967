#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "collectors/model/suspicion.h"
#include "collectors/sockdiag/socket_record.h"

namespace halfopen {

/// The addresses of this network namespace's interfaces, to tell which
/// peers are on this host. IPv4 addresses are kept in their IPv4-mapped IPv6
/// form; 127.0.0.0/8 and ::1 are always local.
class LocalAddresses {
 public:
  void Add(std::uint8_t family, const std::uint8_t* address);
  bool Contains(std::uint8_t family,
                const std::array<std::uint8_t, 16>& address) const;

 private:
  std::vector<std::array<std::uint8_t, 16>> addresses_;
};

/// How long a lonely end's peer must have been silent before it counts.
inline constexpr std::uint32_t kLonelySilenceMs = 1000;

/// One end of a local pair with its final verdict: its own per-socket one,
/// or peer_missing / accept_queue_orphan when its counterpart is gone and
/// that scores higher.
struct PairEnd {
  Reason reason;
  double score;
  double eta_seconds;
  std::uint8_t family;
  std::uint8_t state;
  std::array<std::uint8_t, 16> local_address;  ///< As the family stores it.
  std::array<std::uint8_t, 16> peer_address;
  std::uint16_t local_port;
  std::uint16_t peer_port;
};

/// Matches the two ends of connections whose both ends are on this host, as
/// the dump streams them in any order. Memory is O(local pairs), in one flat
/// open-addressing table that doubles when 3/4 full: no allocation per
/// socket.
class LocalPairTable {
 public:
  LocalPairTable();

  /// Records a full socket (any state but LISTEN) with a local peer.
  /// `verdict` and `eta_seconds` are its own per-socket results, kept in
  /// case it turns out lonely.
  void AddSocket(const SocketRecord& socket, const Verdict& verdict,
                 double eta_seconds);

  /// Records a SYN_RECV request socket with a local peer; `orphaned` when it
  /// is being retransmitted on a full listener.
  void AddRequest(const SocketRecord& socket, bool orphaned);

  /// Calls `visit` once for every recorded ESTABLISHED-like end. An
  /// ESTABLISHED end whose counterpart is absent gets peer_missing (once no
  /// ACK has come for kLonelySilenceMs, so that a connection created during
  /// the dump is not flagged); one whose counterpart is only a request gets
  /// accept_queue_orphan when that request is orphaned, else peer_missing.
  /// `listening(family, address, port)` says whether a local listener takes
  /// connections to that endpoint: peer_missing is only claimed for ends
  /// whose peer endpoint is such a listener, since a peer address that is
  /// local but DNATed elsewhere (a container's port mapping, a Kubernetes
  /// NodePort) has its counterpart in another namespace.
  using ListeningCheck = std::function<bool(
      std::uint8_t family, const std::array<std::uint8_t, 16>& address,
      std::uint16_t port)>;
  void Finish(const std::function<void(const PairEnd&)>& visit,
              const ListeningCheck& listening) const;

  std::size_t size() const { return used_; }

  /// Forgets every pair but keeps the table's capacity, so that a table
  /// reused walk after walk allocates only when the host grows.
  void Clear();

 private:
  struct End {
    float score = 0;
    float eta_seconds = 0;
    std::uint8_t reason = 0;
    std::uint8_t family = 0;
    std::uint8_t state = 0;
    bool full = false;         // a full socket was seen for this end
    bool established = false;  // … in ESTABLISHED
    bool counted = false;      // … established-like, to be counted
    bool request = false;      // a SYN_RECV request was seen instead
    bool orphaned = false;     // … retransmitting on a full listener
    bool silent = false;       // no ACK from the peer for over a second
  };
  struct Slot {
    bool used = false;
    std::array<std::uint8_t, 16> address[2];  // canonical order
    std::uint16_t port[2];
    End end[2];  // end[i]: the socket whose local endpoint is endpoint i
  };

  End* Find(const SocketRecord& socket);
  void Grow();

  std::vector<Slot> slots_;
  std::size_t used_ = 0;
};

}  // namespace halfopen
