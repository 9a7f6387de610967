#include "web/http_handler.h"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <utility>
#include <vector>

#include "civetweb.h"
#include "prometheus/text_serializer.h"
#include "status/status_page.h"
#include "web/gzip.h"
#include "web/scrape_budget.h"

namespace halfopen {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr char kText[] = "text/plain; charset=utf-8";
constexpr char kExposition[] = "text/plain; version=0.0.4; charset=utf-8";
constexpr char kHtml[] = "text/html; charset=utf-8";

double UnixNow() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int Respond(mg_connection* conn, int status, const Headers& headers,
            const std::string& body, bool head_only) {
  mg_response_header_start(conn, status);
  for (const auto& [name, value] : headers) {
    mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  }
  mg_response_header_add(conn, "Content-Length",
                         std::to_string(body.size()).c_str(), -1);
  mg_response_header_send(conn);
  if (!head_only) mg_write(conn, body.data(), body.size());
  return status;
}

// One collection by the request's deadline (Prometheus sends its scrape
// timeout), shared with any other request that asks meanwhile. Every
// collection, whoever asked for it, feeds the counters' baseline.
std::vector<prometheus::MetricFamily> Collect(const Site& site,
                                              mg_connection* conn,
                                              double now_unix_seconds) {
  const double budget = ScrapeBudgetSeconds(
      mg_get_header(conn, "X-Prometheus-Scrape-Timeout-Seconds"),
      site.default_scrape_timeout_seconds);
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(budget));
  auto families = site.scraper->Collect(deadline);
  if (site.baseline != nullptr) {
    site.baseline->Observe(families, now_unix_seconds);
  }
  return families;
}

// The headers a GET would have, without the cost of a collection.
int RespondHeadOnly(mg_connection* conn, const Headers& headers) {
  mg_response_header_start(conn, 200);
  for (const auto& [name, value] : headers) {
    mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  }
  mg_response_header_send(conn);
  return 200;
}

// 200 with `body`, gzipped when the client accepts it.
int RespondNegotiated(mg_connection* conn, Headers headers, std::string body) {
  const char* accept = mg_get_header(conn, "Accept-Encoding");
  std::string gzipped;
  if (accept != nullptr && AcceptsGzip(accept) && Gzip(body, &gzipped).ok()) {
    body = std::move(gzipped);
    headers.push_back({"Content-Encoding", "gzip"});
  }
  headers.push_back({"Vary", "Accept-Encoding"});
  return Respond(conn, 200, headers, body, false);
}

int ServeMetrics(const Site& site, mg_connection* conn, bool head_only) {
  const Headers headers = {{"Content-Type", kExposition}};
  if (head_only) return RespondHeadOnly(conn, headers);
  auto families = Collect(site, conn, UnixNow());
  if (site.self_metrics) {
    for (auto& family : site.self_metrics())
      families.push_back(std::move(family));
  }
  return RespondNegotiated(conn, headers,
                           prometheus::TextSerializer().Serialize(families));
}

int ServeStatus(const Site& site, mg_connection* conn, bool head_only) {
  const Headers headers = {{"Content-Type", kHtml},
                           {"Cache-Control", "no-store"}};
  if (head_only) return RespondHeadOnly(conn, headers);
  const double now = UnixNow();
  const StatusModel model =
      BuildStatusModel(Collect(site, conn, now), now, site.baseline.get());
  return RespondNegotiated(conn, headers,
                           RenderStatusPage(model, site.status_page));
}

int Serve(const Site& site, mg_connection* conn) {
  const mg_request_info* request = mg_get_request_info(conn);
  if (request == nullptr || request->local_uri == nullptr) return 0;
  if (site.front != nullptr && !site.front->Contains(request->remote_port)) {
    return Respond(conn, 403, {{"Content-Type", kText}},
                   "Forbidden: use the TLS port\n", false);
  }
  const std::string method = request->request_method;
  const bool head_only = method == "HEAD";
  if (site.auth != nullptr) {
    const char* authorization = mg_get_header(conn, "Authorization");
    if (authorization == nullptr || !site.auth->Allows(authorization)) {
      return Respond(conn, 401,
                     {{"Content-Type", kText}, {"WWW-Authenticate", "Basic"}},
                     "Unauthorized\n", head_only);
    }
  }
  const std::string uri = request->local_uri;
  if (uri != "/" && uri != "/-/healthy" && uri != "/runbook" &&
      uri != "/status" && uri != site.telemetry_path) {
    return Respond(conn, 404, {{"Content-Type", kText}}, "Not Found\n",
                   head_only);
  }
  if (method != "GET" && !head_only) {
    return Respond(conn, 405, {{"Content-Type", kText}, {"Allow", "GET, HEAD"}},
                   "Method Not Allowed\n", false);
  }
  if (uri == site.telemetry_path) return ServeMetrics(site, conn, head_only);
  if (uri == "/status") return ServeStatus(site, conn, head_only);
  if (uri == "/-/healthy") {
    return Respond(conn, 200, {{"Content-Type", kText}}, "Healthy\n",
                   head_only);
  }
  return Respond(conn, 200, {{"Content-Type", kHtml}},
                 uri == "/runbook" ? site.runbook_page : site.landing_page,
                 head_only);
}

}  // namespace

int HandleRequest(const Site& site, mg_connection* conn) noexcept {
  try {
    return Serve(site, conn);
  } catch (const std::exception&) {
  } catch (...) {
  }
  try {
    return Respond(conn, 500, {{"Content-Type", kText}},
                   "Internal Server Error\n", false);
  } catch (...) {
    return 500;
  }
}

}  // namespace halfopen
