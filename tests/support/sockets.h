#pragma once

#include <string>

namespace halfopen::testing {

/// An owned file descriptor, closed when destroyed.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd();
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

/// A TCP listener on ip:port (port 0 picks one) with the given backlog; IPv6
/// when `ip` contains ':'. Sets *port to the bound port. Invalid on failure.
Fd ListenTcp(const std::string& ip, int backlog, int* port);

/// How ListenTcpWith() binds its listener.
struct ListenOptions {
  std::string ip = "127.0.0.1";
  int port = 0;  ///< 0 picks one.
  int backlog = 16;
  bool reuseport = false;  ///< SO_REUSEPORT, to join a group on one port.
  std::string device;      ///< SO_BINDTODEVICE when not empty.
};

/// A TCP listener bound as `options` say; sets *port to the bound port.
/// Invalid on failure.
Fd ListenTcpWith(const ListenOptions& options, int* port);

/// Starts a non-blocking connect to ip:port from source_ip:source_port.
/// Invalid on failure other than EINPROGRESS.
Fd ConnectFrom(const std::string& source_ip, int source_port,
               const std::string& ip, int port);

/// Starts a non-blocking connect to ip:port (the handshake goes on in the
/// kernel). Invalid on failure other than EINPROGRESS.
Fd ConnectNonBlocking(const std::string& ip, int port);

/// ConnectNonBlocking() that retransmits its SYN only `syn_retries` times
/// (TCP_SYNCNT) before giving up, so that a listener's drops stop soon.
Fd ConnectGivingUpSoon(const std::string& ip, int port, int syn_retries = 1);

/// A blocking connect to ip:port: returns once the handshake completed
/// (invalid on failure).
Fd ConnectBlocking(const std::string& ip, int port);

/// Accepts one connection from `listener` (blocking). Invalid on failure.
Fd Accept(const Fd& listener);

/// The local port of a connected or bound socket, or -1.
int LocalPort(const Fd& fd);

/// Sends one UDP datagram of `bytes` zero bytes to ip:port and closes the
/// socket. Used to fill a rate limiter's bucket so that what follows waits.
bool SendUdp(const std::string& ip, int port, std::size_t bytes);

/// The kernel's view of a counter in a /proc/net/netstat or /proc/net/snmp
/// text, e.g. ("TcpExt", "ListenOverflows"); -1 when absent.
long long CounterFromProcText(const std::string& text,
                              const std::string& prefix,
                              const std::string& name);

}  // namespace halfopen::testing
