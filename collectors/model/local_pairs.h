#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "model/address.h"
#include "model/socket_record.h"
#include "model/suspicion.h"

namespace halfopen {

/// The addresses of this network namespace's interfaces, to tell which
/// peers are on this host. IPv4 addresses are kept in their IPv4-mapped IPv6
/// form; 127.0.0.0/8 and ::1 are always local.
class LocalAddresses {
 public:
  void Add(std::uint8_t family, const std::uint8_t* address);
  bool Contains(std::uint8_t family, const Address& address) const;

 private:
  std::vector<Address> addresses_;
};

/// How long a lonely end's peer must have been silent before it counts.
inline constexpr std::uint32_t kLonelySilenceMs = 1000;

/// Matches the two ends of connections whose both ends are on this host, as
/// the dump streams them in any order. Memory is O(local pairs): flat
/// open-addressing tables of 32-byte slots that double when 3/4 full (no
/// allocation per socket), keyed by a 64-bit fingerprint of the connection's
/// 4-tuple (a false match needs a fingerprint collision: about n^2 / 2^65
/// for n pairs, 10^-8 at 600k). The fingerprint's top bits pick one of
/// kShards tables, which grow one at a time: a table being doubled briefly
/// holds its old and new slots, and a single table would then need half as
/// much again as it keeps (25 MB at the peak of a first walk of 600k
/// loopback sockets, for 17 MB kept). Addresses are kept, in parallel
/// arrays, only when the caller asks for them (--suspects.expose-addresses).
class LocalPairTable {
 public:
  explicit LocalPairTable(bool keep_addresses = false);

  /// Records a full socket (any state but LISTEN) with a local peer.
  /// `verdict` and `eta_seconds` are its own per-socket results, kept in
  /// case it turns out lonely. `peer_listens` says whether a local listener
  /// takes connections to its peer endpoint: peer_missing is only claimed for
  /// such ends, since a local peer address that is DNATed elsewhere (a
  /// container's port mapping, a Kubernetes NodePort) has its counterpart in
  /// another namespace.
  void AddSocket(const SocketRecord& socket, const Verdict& verdict,
                 double eta_seconds, bool peer_listens);

  /// Records a SYN_RECV request socket with a local peer; `orphaned` when it
  /// is being retransmitted on a full listener.
  void AddRequest(const SocketRecord& socket, bool orphaned);

  /// Calls `visit` once for every recorded full socket, with its
  /// final verdict: its own per-socket one, or peer_missing /
  /// accept_queue_orphan when its counterpart is gone and that scores
  /// higher (addresses only when kept; Suspect::id a fingerprint of the
  /// end's 4-tuple, the same from walk to walk). An
  /// ESTABLISHED end whose counterpart is absent gets peer_missing (once no
  /// ACK has come for kLonelySilenceMs, so that a connection created during
  /// the dump is not flagged); one whose counterpart is only a request gets
  /// accept_queue_orphan when that request is orphaned, else peer_missing.
  void Finish(const std::function<void(const Suspect&)>& visit);

  /// Forgets every pair but keeps the table's capacity, so that a table
  /// reused walk after walk allocates only when the host grows.
  void Clear();

 private:
  enum Bits : std::uint8_t {
    kFull = 1,          // a full socket was seen for this end
    kEstablished = 2,   // … in ESTABLISHED
    kRequest = 4,       // a SYN_RECV request was seen instead
    kOrphaned = 8,      // … retransmitting on a full listener
    kSilent = 16,       // no ACK from the peer for kLonelySilenceMs
    kPeerListens = 32,  // a local listener takes its peer endpoint
    kIpv6 = 64,         // the socket's family is IPv6
  };
  struct End {
    std::uint32_t eta_ms = 0;       // UINT32_MAX: never
    std::uint16_t score = 0;        // × 10000
    std::uint8_t reason_state = 0;  // reason << 4 | state
    std::uint8_t bits = 0;
  };
  struct Slot {
    std::uint64_t key = 0;           // 0: empty
    std::uint16_t port[2] = {0, 0};  // canonical order
    End end[2];  // end[i]: the socket whose local endpoint is endpoint i
  };

  struct Shard {
    std::vector<Slot> slots;  // a power of two, or empty until first used
    std::vector<std::array<Address, 2>> addresses;  // parallel to slots
    std::size_t used = 0;
  };
  static constexpr int kShardBits = 6;
  static constexpr std::size_t kShards = std::size_t{1} << kShardBits;

  // What AddSocket or AddRequest will do to one end. They queue it and
  // prefetch its slot, and the queue is applied kBatch at a time: at 600k
  // sockets the table outgrows the caches, and a batch waits for its slots'
  // cache misses together instead of one after another.
  struct Pending {
    std::uint64_t key = 0;
    std::uint16_t port[2] = {0, 0};
    std::uint8_t side = 0;               // which end of the pair
    bool request = false;                // AddRequest: `end.bits` are or-ed in
    End end;                             // AddSocket: the values of the end
    std::array<Address, 2> addresses{};  // only when keep_addresses_
  };
  static constexpr std::size_t kBatch = 16;

  // Fills the next pending entry for `socket` and prefetches its slot.
  Pending& Queue(const SocketRecord& socket);
  // Counts the entry Queue() filled, applying the batch when it is full.
  void Queued();
  void Flush();
  // The slot of the pending entry's pair, inserting the pair when new.
  Slot* Find(const Pending& pending);
  void Grow(Shard* shard);
  void Visit(const Shard& shard,
             const std::function<void(const Suspect&)>& visit) const;

  const bool keep_addresses_;
  std::array<Shard, kShards> shards_;
  std::array<Pending, kBatch> pending_;
  std::size_t pending_count_ = 0;
};

}  // namespace halfopen
