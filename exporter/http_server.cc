#include "exporter/http_server.h"

#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <vector>

#include "CivetServer.h"
#include "civetweb.h"
#include "prometheus/exposer.h"
#include "prometheus/text_serializer.h"

namespace halfopen {
namespace {

// What one server answers. civetweb's begin_request callback has no user
// pointer of ours, so a site is found by the port the request arrived on.
struct Site {
  std::string landing_page;
  std::string telemetry_path;
  std::shared_ptr<prometheus::Collectable> collectable;
};

std::mutex sites_mu;
std::map<int, Site>& Sites() {
  static auto* sites = new std::map<int, Site>();
  return *sites;
}

// The metrics are served here rather than by the Exposer's handler, which
// holds a lock around every collection: scrapes would queue behind each other
// instead of sharing one collection in the Scraper.
std::string RenderMetrics(const prometheus::Collectable& collectable) {
  return prometheus::TextSerializer().Serialize(collectable.Collect());
}

int ServeFixedPages(mg_connection* conn) {
  const mg_request_info* request = mg_get_request_info(conn);
  if (request == nullptr || request->local_uri == nullptr) return 0;
  const std::string uri = request->local_uri;
  Site site;
  {
    std::lock_guard<std::mutex> lock(sites_mu);
    auto it = Sites().find(request->server_port);
    if (it == Sites().end()) return 0;
    site = it->second;
  }
  std::string body;
  const char* content_type = "text/plain; charset=utf-8";
  if (uri == "/-/healthy") {
    body = "Healthy\n";
  } else if (uri == "/") {
    body = site.landing_page;
    content_type = "text/html; charset=utf-8";
  } else if (uri == site.telemetry_path) {
    body = RenderMetrics(*site.collectable);
    content_type = "text/plain; version=0.0.4; charset=utf-8";
  } else {
    return 0;
  }
  mg_send_http_ok(conn, content_type, static_cast<long long>(body.size()));
  mg_write(conn, body.data(), body.size());
  return 200;
}

bool CivetwebHasIpv6() { return mg_check_feature(8) != 0; }

// civetweb's syntax: "9742" is every IPv4 address, "+9742" every IPv4 and
// IPv6 address, "[::1]:9742" one IPv6 address.
std::string ListeningPorts(const std::string& host, int port) {
  if (host.empty()) {
    return (CivetwebHasIpv6() ? "+" : "") + std::to_string(port);
  }
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + std::to_string(port);
  }
  return host + ":" + std::to_string(port);
}

}  // namespace

HttpServer::~HttpServer() {
  exposer_.reset();
  std::lock_guard<std::mutex> lock(sites_mu);
  Sites().erase(port_);
}

Status HttpServer::Start(const std::string& host, int port,
                         const std::string& telemetry_path,
                         std::shared_ptr<prometheus::Collectable> collectable,
                         std::string landing_page,
                         std::unique_ptr<HttpServer>* out) {
  static CivetCallbacks callbacks = [] {
    CivetCallbacks c;
    c.begin_request = ServeFixedPages;
    return c;
  }();
  std::unique_ptr<HttpServer> server(new HttpServer());
  const std::string address = ListeningPorts(host, port);
  if (host.find(':') != std::string::npos && !CivetwebHasIpv6()) {
    return Status::Error("cannot listen on " + address +
                         ": the installed civetweb library was built without "
                         "IPv6 support; use an IPv4 address");
  }
  try {
    server->exposer_ = std::make_unique<prometheus::Exposer>(
        std::vector<std::string>{"listening_ports", address, "num_threads",
                                 "8"},
        &callbacks);
  } catch (const std::exception& e) {
    return Status::Error("cannot listen on " + address +
                         ": the address is in use, not local, or not "
                         "permitted");
  }
  const std::vector<int> ports = server->exposer_->GetListeningPorts();
  if (ports.empty()) return Status::Error("no listening port for " + address);
  server->port_ = ports.front();
  {
    std::lock_guard<std::mutex> lock(sites_mu);
    Sites()[server->port_] = {std::move(landing_page), telemetry_path,
                              std::move(collectable)};
  }
  *out = std::move(server);
  return Status::Ok();
}

}  // namespace halfopen
