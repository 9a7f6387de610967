#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "web/web_config.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace halfopen {

/// The ports our own TLS front connects to the internal HTTP server from,
/// so that the server can refuse anyone else on its loopback port (who
/// would bypass the client-certificate check). Thread-safe.
class FrontPorts {
 public:
  void Add(int port);
  void Remove(int port);
  bool Contains(int port) const;

 private:
  mutable std::mutex mu_;
  std::multiset<int> ports_;
};

/// Terminates TLS with the system's OpenSSL and relays each connection to
/// the HTTP server on 127.0.0.1:`upstream_port`. (Debian 12's civetweb is
/// built for the OpenSSL 1.1 API and cannot use OpenSSL 3: see
/// docs/tls.md.) A fixed pool of threads each accepts and serves one
/// connection at a time; the handshake and every read and write must make
/// progress within the I/O timeout, so slow clients are dropped, and
/// connections beyond the pool wait in the listen queue.
class TlsFront {
 public:
  struct Settings {
    std::string host;  ///< "" means every IPv4 address.
    int port = 0;
    int upstream_port = 0;
    int threads = 0;
    int io_timeout_ms = 0;
  };

  /// Loads the certificate, key and CA (errors name the config line) and
  /// starts listening.
  static Status Start(const TlsServerConfig& config, const Settings& settings,
                      std::shared_ptr<FrontPorts> ports,
                      std::unique_ptr<TlsFront>* out);
  /// Stops accepting, cuts every open connection and joins the threads.
  ~TlsFront();

  int port() const { return port_; }

 private:
  TlsFront() = default;
  void AcceptLoop();
  void Serve(int client);
  void Track(int fd, bool open);

  SSL_CTX* context_ = nullptr;
  Settings settings_;
  std::shared_ptr<FrontPorts> ports_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex open_mu_;
  std::set<int> open_;  // Client and upstream sockets in use.
  std::vector<std::thread> threads_;
};

}  // namespace halfopen
