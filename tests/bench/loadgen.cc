// halfopen_loadgen: holds N established loopback TCP connections (both ends
// in this process tree) for the benchmark, plus the states the exporter must
// handle: keepalive connections, connections with unacknowledged data (their
// port is black-holed by the caller with nftables), and one overflowing
// listener. When the open-files hard limit is below 2N it splits the work
// across child processes. Prints "ready <connections>" and holds everything
// until SIGTERM or SIGINT.
//
// usage: halfopen_loadgen N [--ipv6=M] [--blackhole-port=P] [--stuck=K]

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Options {
  long connections = 0;
  long ipv6 = 0;           // of which over ::1
  int blackhole_port = 0;  // listener whose clients write unacked data
  long stuck = 100;        // connections to the black-holed port
};

void Die(const char* what) {
  std::fprintf(stderr, "halfopen_loadgen: %s: %s\n", what,
               std::strerror(errno));
  std::exit(1);
}

// The loopback address of `family` (127.0.0.1 or ::1) with `port`.
socklen_t Loopback(int family, int port, sockaddr_storage* address) {
  *address = {};
  if (family == AF_INET6) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(address);
    v6->sin6_family = AF_INET6;
    v6->sin6_addr = in6addr_loopback;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    return sizeof *v6;
  }
  auto* v4 = reinterpret_cast<sockaddr_in*>(address);
  v4->sin_family = AF_INET;
  v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  v4->sin_port = htons(static_cast<uint16_t>(port));
  return sizeof *v4;
}

int Listen(int family, int port, int backlog) {
  const int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage address;
  const socklen_t length = Loopback(family, port, &address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      listen(fd, backlog) != 0) {
    Die("listen");
  }
  return fd;
}

int PortOf(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.ss_family == AF_INET6
                   ? reinterpret_cast<sockaddr_in6*>(&address)->sin6_port
                   : reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

// A client from source address 127.<hi>.<lo>.<n> (IPv4) or ::1, connected
// to the listener's port; returns the client fd.
int Connect(int family, int port, uint32_t source, bool blocking) {
  const int fd = socket(
      family, SOCK_STREAM | SOCK_CLOEXEC | (blocking ? 0 : SOCK_NONBLOCK), 0);
  if (fd < 0) Die("socket");
  if (family == AF_INET) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(source);
    if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      Die("bind source");
    }
  }
  sockaddr_storage target;
  const socklen_t length = Loopback(family, port, &target);
  if (connect(fd, reinterpret_cast<sockaddr*>(&target), length) != 0 &&
      !(errno == EINPROGRESS && !blocking)) {
    Die("connect");
  }
  return fd;
}

// Opens `count` connections (the first `ipv6` of them over ::1), each from
// its own source address so ephemeral ports never run out, one in ten with
// keepalive. Both ends stay open in this process.
void HoldConnections(long first, long count, long ipv6) {
  const int listener4 = Listen(AF_INET, 0, 4096);
  const int listener6 = ipv6 > 0 ? Listen(AF_INET6, 0, 4096) : -1;
  for (long i = 0; i < count; ++i) {
    const long global = first + i;
    const bool v6 = i < ipv6;
    // 127.1.0.0/16 onwards, 1000 connections per source address.
    const uint32_t source =
        (127u << 24) | (1u << 16) | static_cast<uint32_t>(global / 1000 + 1);
    const int client =
        Connect(v6 ? AF_INET6 : AF_INET, PortOf(v6 ? listener6 : listener4),
                source, true);
    if (global % 10 == 0) {
      const int one = 1;
      setsockopt(client, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    }
    if (accept4(v6 ? listener6 : listener4, nullptr, nullptr, SOCK_CLOEXEC) <
        0) {
      Die("accept");
    }
  }
}

// The special cases, in the parent: one overflowing listener (listen(1),
// never accepting, 5 clients) and `stuck` connections to the black-holed
// port, which write data the peer never acknowledges once the caller drops
// that port.
void HoldSpecialCases(const Options& options) {
  const int overflowing = Listen(AF_INET, 0, 1);
  for (int i = 0; i < 5; ++i) {
    Connect(AF_INET, PortOf(overflowing), (127u << 24) | 0x00fe0001u, false);
  }
  if (options.blackhole_port == 0) return;
  const int blackhole = Listen(AF_INET, options.blackhole_port, 4096);
  std::vector<int> writers;
  for (long i = 0; i < options.stuck; ++i) {
    writers.push_back(Connect(AF_INET, options.blackhole_port,
                              (127u << 24) | 0x00fd0001u, true));
    accept4(blackhole, nullptr, nullptr, SOCK_CLOEXEC);
  }
  std::printf("blackhole-ready\n");
  std::fflush(stdout);
  // Write once the caller has installed the drop rule (it sends SIGUSR1).
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  int signal_number;
  sigwait(&usr1, &signal_number);
  for (const int fd : writers) send(fd, "unacknowledged", 14, MSG_NOSIGNAL);
}

}  // namespace

// Returns once SIGTERM or SIGINT arrives (both are blocked, so they wait).
void WaitForStop() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  int signal_number;
  sigwait(&stop, &signal_number);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: halfopen_loadgen N [--ipv6=M] [--blackhole-port=P] "
                 "[--stuck=K]\n");
    return 2;
  }
  Options options;
  options.connections = std::atol(argv[1]);
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--ipv6=", 0) == 0)
      options.ipv6 = std::atol(arg.c_str() + 7);
    else if (arg.rfind("--blackhole-port=", 0) == 0)
      options.blackhole_port = std::atoi(arg.c_str() + 17);
    else if (arg.rfind("--stuck=", 0) == 0)
      options.stuck = std::atol(arg.c_str() + 8);
    else {
      std::fprintf(stderr, "halfopen_loadgen: unknown flag %s\n", arg.c_str());
      return 2;
    }
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGUSR1);
  sigprocmask(SIG_BLOCK, &signals, nullptr);

  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);
  // Two fds per connection plus slack for listeners and stdio.
  const long per_child =
      std::max(1L, (static_cast<long>(files.rlim_cur) - 64) / 2);
  std::vector<pid_t> children;
  for (long first = 0; first < options.connections; first += per_child) {
    const long count = std::min(per_child, options.connections - first);
    const long ipv6 = first == 0 ? std::min(options.ipv6, count) : 0;
    const pid_t pid = fork();
    if (pid < 0) Die("fork");
    if (pid == 0) {
      HoldConnections(first, count, ipv6);
      std::printf("child-ready %ld\n", count);
      std::fflush(stdout);
      WaitForStop();
      _exit(0);
    }
    children.push_back(pid);
  }
  // Wait until every child holds its connections (each prints child-ready
  // on the shared stdout; the caller counts them), then add the special
  // cases and report.
  HoldSpecialCases(options);
  std::printf("ready %ld children=%zu\n", options.connections, children.size());
  std::fflush(stdout);
  WaitForStop();
  for (const pid_t child : children) kill(child, SIGTERM);
  for (const pid_t child : children) waitpid(child, nullptr, 0);
  return 0;
}
