#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/scraper.h"
#include "prometheus/metric_family.h"
#include "status/status_model.h"
#include "status/status_page.h"
#include "web/basic_auth.h"
#include "web/tls_front.h"

struct mg_connection;

namespace halfopen {

/// What one HTTP server answers.
struct Site {
  std::string telemetry_path;
  std::string landing_page;
  std::string runbook_page;       ///< Served at /runbook.
  StatusPageOptions status_page;  ///< How /status is rendered.
  std::shared_ptr<Scraper> scraper;
  /// The exporter's own metrics (process_*), appended to every scrape's
  /// after the collectors'. Empty: none.
  std::function<std::vector<prometheus::MetricFamily>()> self_metrics;
  /// Fed by every collection, so that /status shows the netstat counters'
  /// change since the first one. Null: no changes shown.
  std::shared_ptr<CounterBaseline> baseline;
  /// Seconds a scrape may take when the request does not say.
  double default_scrape_timeout_seconds = 10;
  std::shared_ptr<BasicAuth> auth;  ///< Null: no basic auth.
  /// Set when TLS is on: only connections from these ports are served.
  std::shared_ptr<FrontPorts> front;
};

/// Answers one request (civetweb's begin_request): `telemetry_path` with the
/// scraped metrics (gzipped when the client accepts it; HEAD gives the
/// headers without collecting), `/status` with the status page rendered
/// from a collection shared like a scrape's (HEAD: headers only), `/` with
/// the landing page, `/runbook` with the alerts' runbook, `/-/healthy` with
/// 200; other methods 405, other paths
/// 404; 401 without valid basic auth when users are configured. Never throws
/// (an exception becomes a 500), so nothing unwinds through civetweb's C code.
/// Returns the status sent.
int HandleRequest(const Site& site, mg_connection* conn) noexcept;

}  // namespace halfopen
