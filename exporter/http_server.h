#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "prometheus/collectable.h"

namespace prometheus {
class Exposer;
}

namespace halfopen {

/// The HTTP endpoint, on prometheus-cpp's Exposer (civetweb): `telemetry_path`
/// serves the collectable in the text format, `/` the landing page,
/// `/-/healthy` a plain 200, and any other path 404. Requests are served
/// concurrently on civetweb's threads; destroying the server stops them.
class HttpServer {
 public:
  ~HttpServer();

  /// Binds `host:port` (host "" means every address) and starts serving.
  /// Fails with a one-line message when the address cannot be bound.
  static Status Start(const std::string& host, int port,
                      const std::string& telemetry_path,
                      std::shared_ptr<prometheus::Collectable> collectable,
                      std::string landing_page,
                      std::unique_ptr<HttpServer>* out);

  /// The port actually bound (useful with port 0).
  int port() const { return port_; }

 private:
  HttpServer() = default;

  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace halfopen
