#include "web/tls_front.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "web/tls_context.h"

namespace halfopen {
namespace {

// What Go's net/http answers to plain HTTP on a TLS port.
constexpr char kPlainHttpAnswer[] =
    "HTTP/1.0 400 Bad Request\r\n\r\n"
    "Client sent an HTTP request to an HTTPS server.\n";

void SetTimeouts(int fd, int timeout_ms) {
  timeval timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
}

int LocalPort(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return -1;
  }
  return ntohs(address.sin_port);
}

int ConnectUpstream(int port, int timeout_ms) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  SetTimeouts(fd, timeout_ms);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool WriteAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Closes after a last answer without losing it: closing with unread input
// would send a reset that can overtake the answer, so the write side is
// shut first and the input drained for a moment.
void LingeringClose(int fd) {
  shutdown(fd, SHUT_WR);
  char buffer[4096];
  for (int i = 0; i < 10; ++i) {
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0 || recv(fd, buffer, sizeof buffer, 0) <= 0) {
      return;
    }
  }
}

bool SslWriteAll(SSL* ssl, const char* data, std::size_t size) {
  while (size > 0) {
    const int n = SSL_write(ssl, data, static_cast<int>(size));
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Copies bytes both ways until either side closes or stalls past the
// sockets' timeouts (the HTTP server closes after each response).
void Relay(SSL* ssl, int client, int upstream) {
  char buffer[16384];
  while (true) {
    pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    if (SSL_pending(ssl) == 0 && poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (SSL_pending(ssl) > 0 || (fds[0].revents & (POLLIN | POLLHUP))) {
      const int n = SSL_read(ssl, buffer, sizeof buffer);
      if (n <= 0 || !WriteAll(upstream, buffer, static_cast<std::size_t>(n))) {
        return;
      }
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = recv(upstream, buffer, sizeof buffer, 0);
      if (n <= 0 || !SslWriteAll(ssl, buffer, static_cast<std::size_t>(n))) {
        return;
      }
    }
  }
}

}  // namespace

void FrontPorts::Add(int port) {
  std::lock_guard<std::mutex> lock(mu_);
  ports_.insert(port);
}

void FrontPorts::Remove(int port) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto found = ports_.find(port);
  if (found != ports_.end()) ports_.erase(found);
}

bool FrontPorts::Contains(int port) const {
  std::lock_guard<std::mutex> lock(mu_);
  return ports_.count(port) > 0;
}

Status TlsFront::Start(const TlsServerConfig& config, const Settings& settings,
                       std::shared_ptr<FrontPorts> ports,
                       std::unique_ptr<TlsFront>* out) {
  std::unique_ptr<TlsFront> front(new TlsFront());
  Status status = MakeTlsContext(config, &front->context_);
  if (!status.ok()) return status;
  front->settings_ = settings;
  front->ports_ = std::move(ports);
  const std::string where = (settings.host.empty() ? "" : settings.host) + ":" +
                            std::to_string(settings.port);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(settings.port));
  if (!settings.host.empty() &&
      inet_pton(AF_INET, settings.host.c_str(), &address.sin_addr) != 1) {
    return Status::Error("cannot listen on " + where + ": not an IPv4 address");
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(fd, 1024) != 0) {
    const std::string reason = std::strerror(errno);
    close(fd);
    return Status::Error("cannot listen on " + where + ": " + reason);
  }
  front->listen_fd_ = fd;
  front->port_ = LocalPort(fd);
  for (int i = 0; i < settings.threads; ++i) {
    front->threads_.emplace_back([f = front.get()] { f->AcceptLoop(); });
  }
  *out = std::move(front);
  return Status::Ok();
}

TlsFront::~TlsFront() {
  stopping_ = true;
  if (listen_fd_ >= 0) shutdown(listen_fd_, SHUT_RDWR);  // Wakes accept().
  {
    std::lock_guard<std::mutex> lock(open_mu_);
    for (const int fd : open_) shutdown(fd, SHUT_RDWR);
  }
  for (auto& thread : threads_) thread.join();
  if (listen_fd_ >= 0) close(listen_fd_);
  SSL_CTX_free(context_);
}

void TlsFront::Track(int fd, bool open) {
  std::lock_guard<std::mutex> lock(open_mu_);
  if (!open) {
    open_.erase(fd);
  } else if (stopping_) {
    shutdown(fd, SHUT_RDWR);
  } else {
    open_.insert(fd);
  }
}

void TlsFront::AcceptLoop() {
  while (!stopping_) {
    const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EMFILE || errno == ENFILE) poll(nullptr, 0, 100);
      continue;
    }
    Track(client, true);
    Serve(client);
    Track(client, false);
    close(client);
  }
}

void TlsFront::Serve(int client) {
  SetTimeouts(client, settings_.io_timeout_ms);
  SSL* ssl = SSL_new(context_);
  if (ssl == nullptr) return;
  SSL_set_fd(ssl, client);
  ERR_clear_error();
  if (SSL_accept(ssl) != 1) {
    if (ERR_GET_REASON(ERR_peek_error()) == SSL_R_HTTP_REQUEST) {
      WriteAll(client, kPlainHttpAnswer, sizeof kPlainHttpAnswer - 1);
      LingeringClose(client);
    }
    ERR_clear_error();
    SSL_free(ssl);
    return;
  }
  const int upstream =
      ConnectUpstream(settings_.upstream_port, settings_.io_timeout_ms);
  if (upstream >= 0) {
    const int port = LocalPort(upstream);
    ports_->Add(port);
    Track(upstream, true);
    Relay(ssl, client, upstream);
    Track(upstream, false);
    ports_->Remove(port);
    close(upstream);
    SSL_shutdown(ssl);
  }
  ERR_clear_error();
  SSL_free(ssl);
}

}  // namespace halfopen
