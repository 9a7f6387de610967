#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "base/status.h"

namespace halfopen {

/// What one receive placed in the buffer.
struct NetlinkReceived {
  std::size_t bytes = 0;     ///< Bytes placed in the buffer.
  bool truncated = false;    ///< MSG_TRUNC: the datagram was longer.
  std::uint32_t sender = 0;  ///< The sender's port id; 0 is the kernel.
};

/// The system calls of one NETLINK_SOCK_DIAG socket, behind an interface so
/// that tests can make the kernel fail underneath the diag source's own
/// handling (EINTR, ENOBUFS, datagrams cut short or too long). I/O only.
/// Not thread-safe.
class NetlinkChannel {
 public:
  virtual ~NetlinkChannel() = default;

  /// Opens and binds a socket in the calling thread's network namespace;
  /// *port_id is its address. Errors name the call and errno.
  virtual Status Open(std::uint32_t* port_id) = 0;
  /// Sends one request to the kernel. Returns 0 or an errno value.
  virtual int Send(std::span<const std::uint8_t> request) = 0;
  /// Waits for one datagram. Returns 0 or an errno value (EAGAIN when no
  /// datagram came within the receive timeout).
  virtual int Receive(std::span<std::uint8_t> buffer,
                      NetlinkReceived* received) = 0;
  /// Closes the socket; the next Open() makes a new one.
  virtual void Close() = 0;
};

/// How long Receive() on the kernel's channel waits for a datagram.
inline constexpr int kNetlinkReceiveTimeoutSeconds = 5;

/// The kernel's channel: a real netlink socket.
std::unique_ptr<NetlinkChannel> MakeKernelNetlinkChannel();

}  // namespace halfopen
