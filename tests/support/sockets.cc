#include "tests/support/sockets.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <vector>

namespace halfopen::testing {
namespace {

bool MakeAddress(const std::string& ip, int port, sockaddr_storage* storage,
                 socklen_t* length) {
  *storage = {};
  if (ip.find(':') != std::string::npos) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(storage);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    *length = sizeof *v6;
    return inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1;
  }
  auto* v4 = reinterpret_cast<sockaddr_in*>(storage);
  v4->sin_family = AF_INET;
  v4->sin_port = htons(static_cast<uint16_t>(port));
  *length = sizeof *v4;
  return inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1;
}

}  // namespace

Fd::~Fd() {
  if (fd_ >= 0) close(fd_);
}

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

Fd ListenTcp(const std::string& ip, int backlog, int* port) {
  ListenOptions options;
  options.ip = ip;
  options.backlog = backlog;
  return ListenTcpWith(options, port);
}

Fd ListenTcpWith(const ListenOptions& options, int* port) {
  sockaddr_storage address;
  socklen_t length;
  if (!MakeAddress(options.ip, options.port, &address, &length)) return Fd();
  Fd fd(socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int one = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (options.reuseport &&
      setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    return Fd();
  }
  if (!options.device.empty() &&
      setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, options.device.c_str(),
                 static_cast<socklen_t>(options.device.size())) != 0) {
    return Fd();
  }
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      listen(fd.get(), options.backlog) != 0 ||
      getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) !=
          0) {
    return Fd();
  }
  *port = ntohs(address.ss_family == AF_INET6
                    ? reinterpret_cast<sockaddr_in6*>(&address)->sin6_port
                    : reinterpret_cast<sockaddr_in*>(&address)->sin_port);
  return fd;
}

Fd ConnectNonBlocking(const std::string& ip, int port) {
  sockaddr_storage address;
  socklen_t length;
  if (!MakeAddress(ip, port, &address, &length)) return Fd();
  Fd fd(
      socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 &&
      errno != EINPROGRESS) {
    return Fd();
  }
  return fd;
}

Fd ConnectGivingUpSoon(const std::string& ip, int port, int syn_retries) {
  sockaddr_storage address;
  socklen_t length;
  if (!MakeAddress(ip, port, &address, &length)) return Fd();
  Fd fd(
      socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (setsockopt(fd.get(), IPPROTO_TCP, TCP_SYNCNT, &syn_retries,
                 sizeof syn_retries) != 0) {
    return Fd();
  }
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 &&
      errno != EINPROGRESS) {
    return Fd();
  }
  return fd;
}

Fd ConnectFrom(const std::string& source_ip, int source_port,
               const std::string& ip, int port) {
  sockaddr_storage source, address;
  socklen_t source_length, length;
  if (!MakeAddress(source_ip, source_port, &source, &source_length) ||
      !MakeAddress(ip, port, &address, &length)) {
    return Fd();
  }
  Fd fd(
      socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  const int one = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&source), source_length) !=
          0 ||
      (connect(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 &&
       errno != EINPROGRESS)) {
    return Fd();
  }
  return fd;
}

Fd ConnectBlocking(const std::string& ip, int port) {
  sockaddr_storage address;
  socklen_t length;
  if (!MakeAddress(ip, port, &address, &length)) return Fd();
  Fd fd(socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0) {
    return Fd();
  }
  return fd;
}

Fd Accept(const Fd& listener) {
  return Fd(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
}

int LocalPort(const Fd& fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) !=
      0) {
    return -1;
  }
  return ntohs(address.ss_family == AF_INET6
                   ? reinterpret_cast<sockaddr_in6*>(&address)->sin6_port
                   : reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

bool SendUdp(const std::string& ip, int port, std::size_t bytes) {
  sockaddr_storage address;
  socklen_t length;
  if (!MakeAddress(ip, port, &address, &length)) return false;
  Fd fd(socket(address.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  const std::vector<char> payload(bytes, 0);
  return sendto(fd.get(), payload.data(), payload.size(), 0,
                reinterpret_cast<sockaddr*>(&address),
                length) == static_cast<ssize_t>(bytes);
}

long long CounterFromProcText(const std::string& text,
                              const std::string& prefix,
                              const std::string& name) {
  std::istringstream in(text);
  std::string header, values;
  while (std::getline(in, header) && std::getline(in, values)) {
    std::istringstream names(header), numbers(values);
    std::string field, number;
    names >> field;
    numbers >> number;
    if (field != prefix + ":") continue;
    while (names >> field && numbers >> number) {
      if (field == name) return std::stoll(number);
    }
  }
  return -1;
}

}  // namespace halfopen::testing
