#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "model/socket_record.h"

namespace halfopen {

/// A listening endpoint: every LISTEN socket bound to the same family,
/// address, port and device. That is one socket, or an SO_REUSEPORT group
/// whose members the kernel balances connections across. Its handshakes
/// (SYN_RECV request sockets) are attributed to it as a whole: the kernel
/// does not say which member owns one.
struct Listener {
  std::uint8_t family = 0;
  Address address{};
  std::uint16_t port = 0;
  /// The interface index of SO_BINDTODEVICE; 0 when not bound to one.
  std::uint32_t device = 0;
  std::uint32_t sockets = 0;  ///< Member sockets.
  /// The members' inodes, to find the processes that hold them.
  std::vector<std::uint32_t> inodes;
  /// Connections waiting for accept(), summed over the members.
  std::uint32_t queue_length = 0;
  /// The members' limits (min(backlog, somaxconn)) summed.
  std::uint32_t queue_limit = 0;
  /// The fullest member's length / (limit + 1). A queue holds limit + 1
  /// connections before it overflows, so 1 means that member is full.
  double max_fill = 0;
  std::uint32_t syn_recv = 0;
  /// Handshakes whose SYN-ACK was re-sent at least once.
  std::uint32_t syn_recv_retransmitting = 0;
  /// Of those, the ones seen while a member's queue was full: the client's
  /// ACK was ignored and the client may believe it is connected.
  std::uint32_t orphaned_handshakes = 0;

  /// True when some member's queue is full (length greater than limit).
  bool QueueFull() const { return max_fill >= 1; }
};

/// What identifies a listener (a socket or an SO_REUSEPORT group) from one
/// sample to the next: the same as ListenerTable groups by.
struct ListenerKey {
  std::uint8_t family = 0;
  Address address{};
  std::uint16_t port = 0;
  std::uint32_t device = 0;

  static ListenerKey Of(const Listener& listener);
  /// The key of the group a LISTEN socket belongs to.
  static ListenerKey Of(const SocketRecord& socket);
  bool operator==(const ListenerKey&) const = default;
};

struct ListenerKeyHash {
  std::size_t operator()(const ListenerKey& key) const;
};

/// The listeners of one walk, with SYN_RECV request sockets attributed to
/// them by local address and port. Memory is O(listeners).
class ListenerTable {
 public:
  /// Adds a LISTEN socket to its group, creating the group when new.
  void AddListener(const SocketRecord& socket);

  /// Attributes a SYN_RECV socket to the most specific listener on its local
  /// port: same address, then the IPv4-mapped form under an IPv6 listener,
  /// then 0.0.0.0, then [::] (which takes IPv4 too, unless IPV6_V6ONLY,
  /// which the dump does not show); of equal matches, the first seen. Counts
  /// it as unattributed when nothing matches, e.g. a listener that closed
  /// during the dump. Returns the listener, or nullptr. The pointer is valid
  /// until the next AddListener().
  const Listener* AttributeHandshake(const SocketRecord& socket);

  /// True when some listener would take a connection to that endpoint.
  bool Listens(std::uint8_t family, const Address& address,
               std::uint16_t port) const;

  const std::vector<Listener>& listeners() const { return listeners_; }
  std::uint64_t unattributed() const { return unattributed_; }

 private:
  std::vector<Listener> listeners_;
  std::unordered_multimap<std::uint16_t, std::size_t> by_port_;
  std::uint64_t unattributed_ = 0;
};

}  // namespace halfopen
