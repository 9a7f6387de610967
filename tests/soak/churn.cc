// halfopen_churn: holds N established loopback TCP connections, both ends in
// its process tree, and keeps replacing them: every second RATE of them are
// closed (every other one with a RST, the rest with a FIN, so TIME_WAIT
// sockets come and go too) and as many opened, each from the next source
// address in 127.2.0.0/16 so that no 4-tuple is reused while its TIME_WAIT
// lasts. When the open-files hard limit cannot hold 2N descriptors, the work
// is split across child processes. Prints "ready N" once all are open, and
// each process "churned K part P" every 10 s. Stops on SIGTERM or SIGINT, or
// after MAX_SECONDS (bounded).
//
// usage: halfopen_churn N RATE MAX_SECONDS

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
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
  // Sources start at `first_source` (1 to 65534) and wrap within `sources`.
  Churn(int listener, std::uint32_t first_source, std::uint32_t sources)
      : listener_(listener), first_source_(first_source), sources_(sources) {
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
    source_ = (source_ + 1) % sources_;
    const sockaddr_in local = Address(0x7f020000 + first_source_ + source_, 0);
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
  const std::uint32_t first_source_;
  const std::uint32_t sources_;
  int port_ = 0;
  std::uint32_t source_ = 0;
  long closed_ = 0;
};

// One process's share: `n` connections, `rate` replaced per second, from
// its own listener and slice of source addresses. Returns when stopped.
void Run(long part, long n, double rate, double max_seconds,
         std::uint32_t first_source, std::uint32_t sources, int ready_fd) {
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_in any_port = Address(INADDR_LOOPBACK, 0);
  if (listener < 0 ||
      bind(listener, reinterpret_cast<const sockaddr*>(&any_port),
           sizeof any_port) != 0 ||
      listen(listener, 4096) != 0) {
    Die("listener");
  }
  Churn churn(listener, first_source, sources);
  std::vector<Connection> connections;
  connections.reserve(static_cast<std::size_t>(n));
  for (long i = 0; i < n && !stopping; ++i) connections.push_back(churn.Open());
  const char ready = 'r';
  if (write(ready_fd, &ready, 1) != 1) Die("ready pipe");

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
      std::printf("churned %ld part %ld\n", churn.closed(), part);
      std::fflush(stdout);
      next_report += std::chrono::seconds(10);
    }
  }
  for (const Connection& connection : connections) churn.Close(connection);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: halfopen_churn N RATE MAX_SECONDS\n");
    return 2;
  }
  const long n = std::atol(argv[1]);
  const double rate = std::atof(argv[2]);
  const double max_seconds = std::atof(argv[3]);
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;  // As far as this process may go.
  setrlimit(RLIMIT_NOFILE, &limit);
  const long per_process =
      std::max<long>(1, (static_cast<long>(limit.rlim_cur) - 64) / 2);
  const long processes = (n + per_process - 1) / per_process;
  // No SA_RESTART: a signal must end the parent's waits.
  struct sigaction stop {};
  stop.sa_handler = Stop;
  sigaction(SIGTERM, &stop, nullptr);
  sigaction(SIGINT, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);

  int ready[2];
  if (pipe(ready) != 0) Die("pipe");
  const auto sources = static_cast<std::uint32_t>(0xfffe / processes);
  std::vector<pid_t> children;
  for (long i = 0; i < processes; ++i) {
    const long share = n / processes + (i < n % processes ? 1 : 0);
    const pid_t child = fork();
    if (child < 0) Die("fork");
    if (child == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // Never outlive the parent.
      Run(i, share, rate * static_cast<double>(share) / static_cast<double>(n),
          max_seconds, 1 + static_cast<std::uint32_t>(i) * sources, sources,
          ready[1]);
      return 0;
    }
    children.push_back(child);
  }
  char byte;
  long readied = 0;
  while (readied < processes && !stopping && read(ready[0], &byte, 1) == 1) {
    ++readied;
  }
  if (readied == processes) {
    std::printf("ready %ld\n", n);
    std::fflush(stdout);
  }
  int exit_code = 0;
  for (std::size_t done = 0; done < children.size();) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0 && errno == EINTR) {
      // Stopped: pass it on to the children, then keep waiting for them.
      for (const pid_t child : children) kill(child, SIGTERM);
      continue;
    }
    if (pid < 0) break;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) exit_code = 1;
    ++done;
  }
  return exit_code;
}
