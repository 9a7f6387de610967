#include "kernel/netlink_channel.h"

#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>

#include "kernel/errno_text.h"

namespace halfopen {
namespace {

// Room for bursts while the handler parses (iproute2 uses 1 MiB too).
constexpr int kSocketReceiveBufferBytes = 1024 * 1024;

Status Errno(const char* what, int error_number) {
  return Status::Error(std::string(what) + ": " + ErrnoText(error_number));
}

class KernelNetlinkChannel : public NetlinkChannel {
 public:
  ~KernelNetlinkChannel() override { Close(); }

  Status Open(std::uint32_t* port_id) override {
    Close();
    fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd_ < 0) return Errno("netlink socket", errno);
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &kSocketReceiveBufferBytes,
               sizeof kSocketReceiveBufferBytes);
    // The kernel answers a dump request within milliseconds; a receive that
    // waits longer fails instead of holding its collector forever.
    const timeval timeout{kNetlinkReceiveTimeoutSeconds, 0};
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) !=
        0) {
      return Errno("netlink receive timeout", errno);
    }
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    socklen_t length = sizeof local;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &length) != 0) {
      return Errno("netlink bind", errno);
    }
    *port_id = local.nl_pid;
    return Status::Ok();
  }

  int Send(std::span<const std::uint8_t> request) override {
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (sendto(fd_, request.data(), request.size(), 0,
               reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) {
      return errno;
    }
    return 0;
  }

  int Receive(std::span<std::uint8_t> buffer,
              NetlinkReceived* received) override {
    sockaddr_nl sender{};
    iovec io{buffer.data(), buffer.size()};
    msghdr message{};
    message.msg_name = &sender;
    message.msg_namelen = sizeof sender;
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    const ssize_t bytes = recvmsg(fd_, &message, 0);
    if (bytes < 0) return errno;
    received->bytes = static_cast<std::size_t>(bytes);
    received->truncated = (message.msg_flags & MSG_TRUNC) != 0;
    received->sender = sender.nl_pid;
    return 0;
  }

  void Close() override {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

}  // namespace

std::unique_ptr<NetlinkChannel> MakeKernelNetlinkChannel() {
  return std::make_unique<KernelNetlinkChannel>();
}

}  // namespace halfopen
