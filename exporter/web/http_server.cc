#include "web/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <exception>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "CivetServer.h"
#include "civetweb.h"
#include "prometheus/exposer.h"

namespace halfopen {
namespace {

// Worker threads: each holds one connection until it is answered, so the
// pool must outnumber the slow clients a scrape should survive (100).
constexpr int kWorkerThreads = 128;
// A client must send its whole request header within this time (civetweb
// measures it from the start of the request, and may notice up to one
// more timeout later), and every later read or write must progress within
// it.
constexpr int kRequestTimeoutMs = 5000;

// civetweb's begin_request callback has no user pointer of ours, so a site
// is found by the port the request arrived on.
std::mutex sites_mu;
std::map<int, std::shared_ptr<const Site>>& Sites() {
  static auto* sites = new std::map<int, std::shared_ptr<const Site>>();
  return *sites;
}

int BeginRequest(mg_connection* conn) {
  const mg_request_info* request = mg_get_request_info(conn);
  std::shared_ptr<const Site> site;
  {
    std::lock_guard<std::mutex> lock(sites_mu);
    const auto found = Sites().find(request->server_port);
    if (found == Sites().end()) return 0;
    site = found->second;  // Copying a shared_ptr cannot throw.
  }
  return HandleRequest(*site, conn);
}

std::vector<std::string> CivetwebOptions(const std::string& listening) {
  return {"listening_ports",    listening,
          "num_threads",        std::to_string(kWorkerThreads),
          "request_timeout_ms", std::to_string(kRequestTimeoutMs),
          "enable_keep_alive",  "no",
          "connection_queue",   "256",
          "listen_backlog",     "1024"};
}

// Opens and closes a connection to 127.0.0.1 (or `host`):`port`, which
// wakes civetweb's acceptor from its two-second poll.
void Poke(const std::string& host, int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (host.empty() ||
      inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  close(fd);
}

}  // namespace

Status CivetwebListeningPort(const std::string& host, int port,
                             std::string* out) {
  if (host.find(':') != std::string::npos) {
    return Status::Error("cannot listen on [" + host +
                         "]:" + std::to_string(port) +
                         ": the installed civetweb library was built without "
                         "IPv6 support; use an IPv4 address");
  }
  *out =
      host.empty() ? std::to_string(port) : host + ":" + std::to_string(port);
  return Status::Ok();
}

HttpServer::~HttpServer() {
  front_.reset();
  StopCivetweb();
}

void HttpServer::StopCivetweb() {
  if (exposer_ == nullptr) return;
  // civetweb's acceptor notices the stop flag only between polls of up to
  // two seconds; a connection ends the poll at once.
  std::promise<void> stopped;
  std::future<void> done = stopped.get_future();
  std::thread stopper([&] {
    exposer_.reset();
    stopped.set_value();
  });
  while (done.wait_for(std::chrono::milliseconds(20)) !=
         std::future_status::ready) {
    Poke(civetweb_host_, civetweb_port_);
  }
  stopper.join();
  std::lock_guard<std::mutex> lock(sites_mu);
  Sites().erase(civetweb_port_);
}

Status HttpServer::Start(const Settings& settings, Site site,
                         std::unique_ptr<HttpServer>* out) {
  static CivetCallbacks callbacks = [] {
    CivetCallbacks c;
    c.begin_request = BeginRequest;
    return c;
  }();
  std::unique_ptr<HttpServer> server(new HttpServer());
  std::string listening;
  const bool tls = settings.tls.has_value();
  server->civetweb_host_ = tls ? "127.0.0.1" : settings.host;
  Status status = CivetwebListeningPort(server->civetweb_host_,
                                        tls ? 0 : settings.port, &listening);
  if (!status.ok()) return status;
  if (tls) site.front = std::make_shared<FrontPorts>();
  try {
    server->exposer_ = std::make_unique<prometheus::Exposer>(
        CivetwebOptions(listening), &callbacks);
  } catch (const std::exception& e) {
    return Status::Error("cannot listen on " + listening +
                         ": the address is in use, not local, or not "
                         "permitted");
  }
  const std::vector<int> ports = server->exposer_->GetListeningPorts();
  if (ports.empty()) return Status::Error("no listening port for " + listening);
  server->civetweb_port_ = server->port_ = ports.front();
  {
    std::lock_guard<std::mutex> lock(sites_mu);
    Sites()[server->civetweb_port_] = std::make_shared<const Site>(site);
  }
  if (tls) {
    TlsFront::Settings front{settings.host, settings.port,
                             server->civetweb_port_, kWorkerThreads,
                             kRequestTimeoutMs};
    status = TlsFront::Start(*settings.tls, front, site.front, &server->front_);
    if (!status.ok()) return status;
    server->port_ = server->front_->port();
  }
  *out = std::move(server);
  return Status::Ok();
}

}  // namespace halfopen
