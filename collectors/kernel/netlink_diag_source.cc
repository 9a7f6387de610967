#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "kernel/diag_source.h"
#include "kernel/errno_text.h"

namespace halfopen {
namespace {

// The kernel fills each datagram up to about 32 KiB; 64 KiB never truncates.
constexpr std::size_t kReceiveBufferBytes = 64 * 1024;
// Room for bursts while the handler parses (iproute2 uses 1 MiB too).
constexpr int kSocketReceiveBufferBytes = 1024 * 1024;
// TCP_LISTEN in include/net/tcp_states.h.
constexpr int kTcpListenState = 10;
// The kernel answers a dump request within milliseconds; a receive that
// waits longer fails instead of holding its collector forever.
constexpr int kReceiveTimeoutSeconds = 5;

std::string Errno(const std::string& what, int error_number) {
  return what + ": " + ErrnoText(error_number);
}

class NetlinkDiagSource : public DiagSource {
 public:
  explicit NetlinkDiagSource(DiagRequestMode mode)
      : NetlinkDiagSource(mode, std::make_shared<std::vector<std::uint8_t>>()) {
  }
  NetlinkDiagSource(DiagRequestMode mode,
                    std::shared_ptr<std::vector<std::uint8_t>> buffer)
      : mode_(mode), buffer_(std::move(buffer)) {
    if (buffer_->size() < kReceiveBufferBytes) {
      buffer_->resize(kReceiveBufferBytes);
    }
  }
  ~NetlinkDiagSource() override { Close(); }

  Status Dump(DumpScope scope, const DatagramHandler& handler) override {
    Status status = Open();
    if (status.ok()) status = DumpOn(scope, handler);
    // A dump cut short may leave datagrams behind: start clean next time.
    if (!status.ok()) Close();
    return status;
  }

 private:
  // Opens the socket once; it stays in the network namespace of the thread
  // that opened it, and is reused by every later dump.
  Status Open() {
    if (fd_ >= 0) return Status::Ok();
    fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd_ < 0) return Status::Error(Errno("netlink socket", errno));
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &kSocketReceiveBufferBytes,
               sizeof kSocketReceiveBufferBytes);
    const timeval timeout{kReceiveTimeoutSeconds, 0};
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) !=
        0) {
      return Status::Error(Errno("netlink receive timeout", errno));
    }
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    socklen_t length = sizeof local;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &length) != 0) {
      return Status::Error(Errno("netlink bind", errno));
    }
    port_id_ = local.nl_pid;
    return Status::Ok();
  }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  Status DumpOn(DumpScope scope, const DatagramHandler& handler) {
    const std::uint32_t states = scope == DumpScope::kListeners
                                     ? 1u << kTcpListenState
                                     : AllTcpStatesMask();
    if (mode_ == DiagRequestMode::kLegacySingleWalk) {
      return Request(AF_UNSPEC, states, handler);
    }
    // IPv6 first: a dual-stack [::] listener then precedes the IPv4 request
    // sockets (SYN_RECV) that belong to it.
    for (const int family : {AF_INET6, AF_INET}) {
      Status status = Request(family, states, handler);
      if (!status.ok()) return status;
    }
    return Status::Ok();
  }

  Status Send(std::uint32_t sequence, int family, std::uint32_t states) const {
    struct {
      nlmsghdr header;
      union {
        inet_diag_req legacy;
        inet_diag_req_v2 v2;
      };
    } request{};
    request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    request.header.nlmsg_seq = sequence;
    if (mode_ == DiagRequestMode::kLegacySingleWalk) {
      request.header.nlmsg_type = TCPDIAG_GETSOCK;
      request.header.nlmsg_len = NLMSG_LENGTH(sizeof(inet_diag_req));
      request.legacy.idiag_states = states;
      request.legacy.idiag_ext = 1 << (INET_DIAG_INFO - 1);
    } else {
      request.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
      request.header.nlmsg_len = NLMSG_LENGTH(sizeof(inet_diag_req_v2));
      request.v2.sdiag_family = static_cast<std::uint8_t>(family);
      request.v2.sdiag_protocol = IPPROTO_TCP;
      request.v2.idiag_states = states;
      request.v2.idiag_ext = 1 << (INET_DIAG_INFO - 1);
    }
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    while (sendto(fd_, &request, request.header.nlmsg_len, 0,
                  reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) {
      if (errno != EINTR) return Status::Error(Errno("netlink send", errno));
    }
    return Status::Ok();
  }

  Status Request(int family, std::uint32_t states,
                 const DatagramHandler& handler) {
    const DiagRequestId id{++sequence_, port_id_};
    Status status = Send(id.sequence, family, states);
    if (!status.ok()) return status;
    while (true) {
      sockaddr_nl sender{};
      iovec io{buffer_->data(), buffer_->size()};
      msghdr message{};
      message.msg_name = &sender;
      message.msg_namelen = sizeof sender;
      message.msg_iov = &io;
      message.msg_iovlen = 1;
      const ssize_t received = recvmsg(fd_, &message, 0);
      if (received < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          return Status::Error(
              Errno("netlink receive: no answer from the kernel within " +
                        std::to_string(kReceiveTimeoutSeconds) + " s",
                    errno));
        }
        return Status::Error(Errno("netlink receive", errno));
      }
      if (message.msg_flags & MSG_TRUNC) {
        return Status::Error("netlink receive: datagram truncated (MSG_TRUNC)");
      }
      if (sender.nl_pid != 0) continue;  // Not from the kernel.
      if (received == 0) {
        return Status::Error(
            "netlink receive: the kernel closed the dump early");
      }
      const auto verdict =
          handler(std::span<const std::uint8_t>(
                      buffer_->data(), static_cast<std::size_t>(received)),
                  id);
      if (verdict == DatagramVerdict::kDone) return Status::Ok();
      if (verdict == DatagramVerdict::kFail) {
        return Status::Error("the dump was abandoned");
      }
    }
  }

  const DiagRequestMode mode_;
  const std::shared_ptr<std::vector<std::uint8_t>> buffer_;
  int fd_ = -1;
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
    DiagRequestMode mode, std::shared_ptr<std::vector<std::uint8_t>> buffer) {
  return std::make_unique<NetlinkDiagSource>(mode, std::move(buffer));
}

std::unique_ptr<DiagSource> MakeNetlinkDiagSource(DiagRequestMode mode) {
  return std::make_unique<NetlinkDiagSource>(mode);
}

}  // namespace halfopen
