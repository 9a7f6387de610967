#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "kernel/diag_source.h"
#include "kernel/errno_text.h"
#include "kernel/netlink_channel.h"

namespace halfopen {
namespace {

// The kernel fills each datagram up to about 32 KiB; 64 KiB never truncates.
constexpr std::size_t kReceiveBufferBytes = 64 * 1024;
// TCP_LISTEN in include/net/tcp_states.h.
constexpr int kTcpListenState = 10;

std::string Errno(const std::string& what, int error_number) {
  return what + ": " + ErrnoText(error_number);
}

class NetlinkDiagSource : public DiagSource {
 public:
  // Without `buffer`, the source allocates its own for each dump and frees
  // it after: a source per namespace then holds no buffer between dumps.
  NetlinkDiagSource(DiagRequestMode mode,
                    std::unique_ptr<NetlinkChannel> channel,
                    std::shared_ptr<std::vector<std::uint8_t>> buffer)
      : mode_(mode),
        channel_(std::move(channel)),
        own_buffer_(buffer == nullptr),
        buffer_(own_buffer_ ? std::make_shared<std::vector<std::uint8_t>>()
                            : std::move(buffer)) {}

  Status Dump(DumpScope scope, const DatagramHandler& handler) override {
    if (buffer_->size() < kReceiveBufferBytes) {
      buffer_->resize(kReceiveBufferBytes);
    }
    Status status = Open();
    if (status.ok()) status = DumpOn(scope, handler);
    if (own_buffer_) std::vector<std::uint8_t>().swap(*buffer_);
    // A dump cut short may leave datagrams behind: start clean next time.
    if (!status.ok()) {
      channel_->Close();
      open_ = false;
    }
    return status;
  }

 private:
  // Opens the socket once; it stays in the network namespace of the thread
  // that opened it, and is reused by every later dump.
  Status Open() {
    if (open_) return Status::Ok();
    Status status = channel_->Open(&port_id_);
    if (!status.ok()) {
      channel_->Close();
      return status;
    }
    open_ = true;
    return Status::Ok();
  }

  Status DumpOn(DumpScope scope, const DatagramHandler& handler) {
    const What what = WhatOf(scope);
    if (scope == DumpScope::kUnixListeners) {
      return Request(AF_UNIX, what, handler);
    }
    if (mode_ == DiagRequestMode::kLegacySingleWalk) {
      return Request(AF_UNSPEC, what, handler);
    }
    // IPv6 first: a dual-stack [::] listener then precedes the IPv4 request
    // sockets (SYN_RECV) that belong to it.
    for (const int family : {AF_INET6, AF_INET}) {
      Status status = Request(family, what, handler);
      if (!status.ok()) return status;
    }
    return Status::Ok();
  }

  // The states a request asks for, and its idiag_ext.
  struct What {
    std::uint32_t states;
    std::uint8_t extensions;
  };

  static What WhatOf(DumpScope scope) {
    constexpr std::uint32_t listen = 1u << kTcpListenState;
    constexpr std::uint8_t info = 1 << (INET_DIAG_INFO - 1);
    switch (scope) {
      case DumpScope::kListeners:
        return {listen, 1 << (INET_DIAG_SKMEMINFO - 1)};
      case DumpScope::kConnections:
        return {AllTcpStatesMask() & ~listen, info};
      case DumpScope::kUnixListeners:
        return {listen, 0};
      default:
        return {AllTcpStatesMask(), info};
    }
  }

  Status Send(std::uint32_t sequence, int family, const What& what) {
    struct {
      nlmsghdr header;
      union {
        inet_diag_req legacy;
        inet_diag_req_v2 v2;
        unix_diag_req unix_request;
      };
    } request{};
    request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    request.header.nlmsg_seq = sequence;
    if (family == AF_UNIX) {
      request.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
      request.header.nlmsg_len = NLMSG_LENGTH(sizeof(unix_diag_req));
      request.unix_request.sdiag_family = AF_UNIX;
      request.unix_request.udiag_states = what.states;
      request.unix_request.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_RQLEN;
    } else if (mode_ == DiagRequestMode::kLegacySingleWalk) {
      request.header.nlmsg_type = TCPDIAG_GETSOCK;
      request.header.nlmsg_len = NLMSG_LENGTH(sizeof(inet_diag_req));
      request.legacy.idiag_states = what.states;
      request.legacy.idiag_ext = what.extensions;
    } else {
      request.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
      request.header.nlmsg_len = NLMSG_LENGTH(sizeof(inet_diag_req_v2));
      request.v2.sdiag_family = static_cast<std::uint8_t>(family);
      request.v2.sdiag_protocol = IPPROTO_TCP;
      request.v2.idiag_states = what.states;
      request.v2.idiag_ext = what.extensions;
    }
    const std::span<const std::uint8_t> bytes(
        reinterpret_cast<const std::uint8_t*>(&request),
        request.header.nlmsg_len);
    int error_number;
    while ((error_number = channel_->Send(bytes)) != 0) {
      if (error_number != EINTR) {
        return Status::Error(Errno("netlink send", error_number));
      }
    }
    return Status::Ok();
  }

  Status Request(int family, const What& what, const DatagramHandler& handler) {
    const DiagRequestId id{++sequence_, port_id_};
    Status status = Send(id.sequence, family, what);
    if (!status.ok()) return status;
    while (true) {
      NetlinkReceived received;
      const int error_number = channel_->Receive(*buffer_, &received);
      if (error_number == EINTR) continue;  // A signal: nothing was lost.
      if (error_number == EAGAIN || error_number == EWOULDBLOCK) {
        return Status::Error(
            Errno("netlink receive: no answer from the kernel within " +
                      std::to_string(kNetlinkReceiveTimeoutSeconds) + " s",
                  error_number));
      }
      if (error_number != 0) {
        // ENOBUFS among them: the kernel dropped datagrams, so the dump
        // has a hole in it.
        return Status::Error(Errno("netlink receive", error_number));
      }
      if (received.truncated) {
        return Status::Error("netlink receive: datagram truncated (MSG_TRUNC)");
      }
      if (received.sender != 0) continue;  // Not from the kernel.
      if (received.bytes == 0) {
        return Status::Error(
            "netlink receive: the kernel closed the dump early");
      }
      const auto verdict = handler(
          std::span<const std::uint8_t>(buffer_->data(), received.bytes), id);
      if (verdict == DatagramVerdict::kDone) return Status::Ok();
      if (verdict == DatagramVerdict::kFail) {
        return Status::Error("the dump was abandoned");
      }
    }
  }

  const DiagRequestMode mode_;
  const std::unique_ptr<NetlinkChannel> channel_;
  const bool own_buffer_;
  const std::shared_ptr<std::vector<std::uint8_t>> buffer_;
  bool open_ = false;
  std::uint32_t port_id_ = 0;
  std::uint32_t sequence_ = 0;
};

}  // namespace

std::uint32_t AllTcpStatesMask() {
  std::uint32_t mask = 0;
  for (int state = 1; state <= 12; ++state) mask |= 1u << state;
  return mask;
}

std::unique_ptr<DiagSource> MakeNetlinkDiagSource(
    DiagRequestMode mode, std::unique_ptr<NetlinkChannel> channel) {
  return std::make_unique<NetlinkDiagSource>(
      mode,
      channel != nullptr ? std::move(channel) : MakeKernelNetlinkChannel(),
      nullptr);
}

std::unique_ptr<DiagSource> MakeNetlinkDiagSource(
    DiagRequestMode mode, std::shared_ptr<std::vector<std::uint8_t>> buffer) {
  return std::make_unique<NetlinkDiagSource>(mode, MakeKernelNetlinkChannel(),
                                             std::move(buffer));
}

}  // namespace halfopen
