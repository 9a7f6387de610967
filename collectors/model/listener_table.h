#pragma once

#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "model/socket_record.h"

namespace halfopen {

/// A listening socket and the handshakes attributed to it.
struct Listener {
  std::uint8_t family = 0;
  Address address{};
  std::uint16_t port = 0;
  /// sk_ack_backlog: connections waiting for accept().
  std::uint32_t queue_length = 0;
  /// sk_max_ack_backlog; the queue is full when length > limit.
  std::uint32_t queue_limit = 0;
  std::uint32_t syn_recv = 0;
  /// Handshakes whose SYN-ACK was re-sent at least once.
  std::uint32_t syn_recv_retransmitting = 0;
  /// Of those, the ones seen while the accept queue was full: the client's
  /// ACK was ignored and the client may believe it is connected.
  std::uint32_t orphaned_handshakes = 0;

  bool QueueFull() const { return queue_length > queue_limit; }
};

/// The listeners of one walk, with SYN_RECV request sockets attributed to
/// them by local address and port. Memory is O(listeners).
class ListenerTable {
 public:
  /// Adds a LISTEN socket.
  void AddListener(const SocketRecord& socket);

  /// Attributes a SYN_RECV socket to the most specific listener on its local
  /// port: same address, then the IPv4-mapped form under an IPv6 listener,
  /// then 0.0.0.0, then [::] (which takes IPv4 too, unless IPV6_V6ONLY,
  /// which the dump does not show). Within an SO_REUSEPORT group the first
  /// listener seen gets it. Counts it as unattributed when nothing matches,
  /// e.g. a listener that closed during the dump. Returns the listener, or
  /// nullptr. The pointer is valid until the next AddListener().
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
