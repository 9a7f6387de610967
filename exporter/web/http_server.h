#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "web/http_handler.h"
#include "web/web_config.h"

namespace prometheus {
class Exposer;
}

namespace halfopen {

/// The HTTP endpoint: civetweb (through prometheus-cpp's Exposer) answering
/// every request with HandleRequest(). Each connection holds one of a fixed
/// pool of worker threads until its request is answered; request headers
/// must arrive within a few seconds and connections are not kept alive, so
/// idle or slow clients give their worker back quickly and the pool is
/// large enough that a hundred of them cannot starve a scrape
/// (docs/performance.md measures it). With TLS, a TlsFront listens on the
/// public address and civetweb on a loopback port of its own.
class HttpServer {
 public:
  struct Settings {
    std::string host;  ///< "" means every IPv4 address.
    int port = 0;
    std::optional<TlsServerConfig> tls;
  };

  /// Stops within a fraction of a second (see Stop()).
  ~HttpServer();

  /// Binds and starts serving `site`. Fails with a one-line message when the
  /// address cannot be bound or the TLS files cannot be used.
  static Status Start(const Settings& settings, Site site,
                      std::unique_ptr<HttpServer>* out);

  /// The port actually bound (useful with port 0).
  int port() const { return port_; }

 private:
  HttpServer() = default;
  void StopCivetweb();

  std::unique_ptr<TlsFront> front_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::string civetweb_host_;  // Where StopCivetweb() connects to wake it.
  int civetweb_port_ = 0;
  int port_ = 0;
};

/// civetweb's listening_ports syntax for host:port ("9742" is every IPv4
/// address); fails for IPv6, which Debian 12's civetweb is built without.
Status CivetwebListeningPort(const std::string& host, int port,
                             std::string* out);

}  // namespace halfopen
