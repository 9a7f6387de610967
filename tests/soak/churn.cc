// halfopen_churn: holds N established loopback TCP connections, both ends in
// this process, and keeps replacing them: every second RATE of them are
// closed (every other one with a RST, the rest with a FIN, so TIME_WAIT
// sockets come and go too) and as many opened, each from the next of 65k
// source addresses in 127.2.0.0/16 so that no 4-tuple is reused while its
// TIME_WAIT lasts. Prints "ready N" once all are open and "churned K" every
// 10 s. Stops on SIGTERM or SIGINT, or after MAX_SECONDS (bounded).
//
// usage: halfopen_churn N RATE MAX_SECONDS

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

volatile sig_atomic_t stopping = 0;

void Stop(int) { stopping = 1; }

void Die(const char* what) {
  std::fprintf(stderr, "halfopen_churn: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

sockaddr_in Address(std::uint32_t host, int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(host);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  return address;
}

struct Connection {
  int client = -1;
  int server = -1;
};

class Churn {
 public:
  explicit Churn(int listener) : listener_(listener) {
    sockaddr_in bound{};
    socklen_t length = sizeof bound;
    getsockname(listener, reinterpret_cast<sockaddr*>(&bound), &length);
    port_ = ntohs(bound.sin_port);
  }

  Connection Open() {
    Connection connection;
    connection.client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connection.client < 0) Die("socket");
    // The port is chosen at connect() for the whole 4-tuple, so 65k source
    // addresses give room for millions of connections.
    const int on = 1;
    setsockopt(connection.client, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on,
               sizeof on);
    source_ = source_ % 0xfffe + 1;
    const sockaddr_in local = Address(0x7f020000 + source_, 0);
    if (bind(connection.client, reinterpret_cast<const sockaddr*>(&local),
             sizeof local) != 0) {
      Die("bind");
    }
    const sockaddr_in server = Address(INADDR_LOOPBACK, port_);
    if (connect(connection.client, reinterpret_cast<const sockaddr*>(&server),
                sizeof server) != 0) {
      Die("connect");
    }
    connection.server = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection.server < 0) Die("accept");
    return connection;
  }

  void Close(const Connection& connection) {
    if (++closed_ % 2 == 0) {
      const linger reset{1, 0};
      setsockopt(connection.client, SOL_SOCKET, SO_LINGER, &reset,
                 sizeof reset);
    }
    close(connection.client);
    close(connection.server);
  }

  long closed() const { return closed_; }

 private:
  const int listener_;
  int port_ = 0;
  std::uint32_t source_ = 0;
  long closed_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: halfopen_churn N RATE MAX_SECONDS\n");
    return 2;
  }
  const long n = std::atol(argv[1]);
  const double rate = std::atof(argv[2]);
  const double max_seconds = std::atof(argv[3]);
  const rlim_t wanted = static_cast<rlim_t>(2 * n + 64);
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = wanted;
    limit.rlim_max = std::max(limit.rlim_max, wanted);
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) Die("raising RLIMIT_NOFILE");
  }
  signal(SIGTERM, Stop);
  signal(SIGINT, Stop);
  signal(SIGPIPE, SIG_IGN);

  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_in any_port = Address(INADDR_LOOPBACK, 0);
  if (listener < 0 ||
      bind(listener, reinterpret_cast<const sockaddr*>(&any_port),
           sizeof any_port) != 0 ||
      listen(listener, 4096) != 0) {
    Die("listener");
  }
  Churn churn(listener);
  std::vector<Connection> connections;
  connections.reserve(static_cast<std::size_t>(n));
  for (long i = 0; i < n && !stopping; ++i) connections.push_back(churn.Open());
  std::printf("ready %ld\n", n);
  std::fflush(stdout);

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto next_report = start + std::chrono::seconds(10);
  double owed = 0;
  std::size_t next = 0;
  const timespec tick{0, 10 * 1000 * 1000};
  while (!stopping && !connections.empty() &&
         std::chrono::duration<double>(Clock::now() - start).count() <
             max_seconds) {
    nanosleep(&tick, nullptr);
    owed += rate / 100;
    for (; owed >= 1; owed -= 1) {
      churn.Close(connections[next]);
      connections[next] = churn.Open();
      next = (next + 1) % connections.size();
    }
    if (Clock::now() >= next_report) {
      std::printf("churned %ld\n", churn.closed());
      std::fflush(stdout);
      next_report += std::chrono::seconds(10);
    }
  }
  for (const Connection& connection : connections) churn.Close(connection);
  return 0;
}
