// halfopen_slow_clients: a slowloris client for measuring the exporter.
//
//   halfopen_slow_clients PORT N [INTERVAL_MS] [MAX_SECONDS]
//
// Opens N connections to 127.0.0.1:PORT (loopback only), sends the start of
// a request and then one more byte every INTERVAL_MS (default 1000) without
// ever ending the header, as a slow or malicious client would; with
// INTERVAL_MS 0 it sends nothing at all (a TLS client that never starts
// its handshake). Prints
// "connected N" once every connection is up, "open K" each second, and
// exits when the server has closed them all or after MAX_SECONDS (default
// 120), closing the rest. It never reconnects.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

constexpr char kStart[] =
    "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";

int Connect(int port, bool send_start) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      (send_start && send(fd, kStart, sizeof kStart - 1, MSG_NOSIGNAL) < 0)) {
    close(fd);
    return -1;
  }
  fcntl(fd, F_SETFL, O_NONBLOCK);
  return fd;
}

// Closes the connections the server has closed; returns how many are open.
int Reap(std::vector<int>* fds) {
  std::vector<pollfd> polled;
  for (const int fd : *fds) polled.push_back({fd, POLLIN, 0});
  poll(polled.data(), polled.size(), 0);
  int open = 0;
  char buffer[4096];
  for (std::size_t i = 0; i < fds->size(); ++i) {
    int& fd = (*fds)[i];
    if (fd < 0) continue;
    if (polled[i].revents & (POLLIN | POLLHUP | POLLERR)) {
      if (recv(fd, buffer, sizeof buffer, 0) <= 0) {
        close(fd);
        fd = -1;
        continue;
      }
    }
    ++open;
  }
  return open;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: halfopen_slow_clients PORT N [INTERVAL_MS] "
                 "[MAX_SECONDS]\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int count = std::atoi(argv[2]);
  const int interval_ms = argc > 3 ? std::atoi(argv[3]) : 1000;
  const int max_seconds = argc > 4 ? std::atoi(argv[4]) : 120;
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  std::vector<int> fds;
  for (int i = 0; i < count; ++i) {
    const int fd = Connect(port, interval_ms > 0);
    if (fd < 0) {
      std::perror("connect");
      return 1;
    }
    fds.push_back(fd);
  }
  std::printf("connected %d\n", count);
  std::fflush(stdout);
  const auto start = std::chrono::steady_clock::now();
  auto next_report = start;
  while (std::chrono::steady_clock::now() - start <
         std::chrono::seconds(max_seconds)) {
    const int open = Reap(&fds);
    if (std::chrono::steady_clock::now() >= next_report) {
      std::printf("open %d\n", open);
      std::fflush(stdout);
      next_report += std::chrono::seconds(1);
    }
    if (open == 0) return 0;
    for (const int fd : fds) {
      if (fd >= 0 && interval_ms > 0) send(fd, "x", 1, MSG_NOSIGNAL);
    }
    poll(nullptr, 0, interval_ms > 0 ? interval_ms : 1000);
  }
  for (const int fd : fds) {
    if (fd >= 0) close(fd);
  }
  return 0;
}
