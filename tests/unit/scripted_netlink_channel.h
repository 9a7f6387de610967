#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "kernel/netlink_channel.h"
#include "tests/unit/diag_bytes.h"

namespace halfopen::testing {

/// What the kernel does wrong during a dump, below the diag source.
enum class NetlinkFault {
  kNone,
  kEintr,          ///< recvmsg is interrupted by a signal mid-dump.
  kEnobufs,        ///< recvmsg fails with ENOBUFS mid-dump.
  kErrorMessage,   ///< An NLMSG_ERROR (-EBUSY) arrives mid-dump.
  kDoneWithError,  ///< The dump ends with an NLMSG_DONE carrying -ENOMEM.
  kCutShort,       ///< A datagram ends inside a message.
  kOversized,      ///< A datagram longer than the receive buffer (MSG_TRUNC).
};

/// The fault the channels of a test play on their next dumps, and what they
/// saw. Thread-safe: the test sets it, the collectors' threads read it.
class NetlinkScript {
 public:
  void Set(NetlinkFault fault);
  NetlinkFault fault() const;
  void CountOpen();
  /// How many sockets the source opened (it opens a new one after a failed
  /// dump, so that nothing of the old dump is read again).
  int opens() const;

 private:
  mutable std::mutex mu_;
  NetlinkFault fault_ = NetlinkFault::kNone;
  int opens_ = 0;
};

/// A netlink channel that answers each dump request with the datagrams of
/// the recording linux-6.18-legacy.diag, four messages to a datagram (as the
/// kernel sends them to a small receive buffer), addressed to the request,
/// and plays `script`'s fault in the middle of the dump.
class ScriptedNetlinkChannel : public NetlinkChannel {
 public:
  explicit ScriptedNetlinkChannel(NetlinkScript* script);

  Status Open(std::uint32_t* port_id) override;
  int Send(std::span<const std::uint8_t> request) override;
  int Receive(std::span<std::uint8_t> buffer,
              NetlinkReceived* received) override;
  void Close() override;

 private:
  // One recvmsg outcome: an errno, or a datagram.
  struct Event {
    int error_number = 0;
    Bytes datagram;
  };

  NetlinkScript& script_;
  std::vector<Bytes> messages_;  // The recording's, DONE last.
  std::vector<Event> pending_;   // In reverse order: the next is last.
};

}  // namespace halfopen::testing
