#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/support/exporter_process.h"
#include "tests/support/netns.h"
#include "tests/support/process.h"
#include "tests/support/sockets.h"
#include "tests/support/tls_files.h"

namespace halfopen::testing {
namespace {

using std::chrono::seconds;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Source(const std::string& relative) {
  return std::string(HALFOPEN_SOURCE_DIR) + "/" + relative;
}

std::string UrlEncode(const std::string& text) {
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      out += escaped;
    }
  }
  return out;
}

// Every "expr" of every panel target in a dashboard, JSON-unescaped.
std::vector<std::string> DashboardExpressions(const std::string& json) {
  std::vector<std::string> exprs;
  const std::regex expr("\"expr\": \"((?:[^\"\\\\]|\\\\.)*)\"");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), expr);
       it != std::sregex_iterator(); ++it) {
    std::string raw = (*it)[1], value;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 1 < raw.size()) ++i;
      value += raw[i];
    }
    exprs.push_back(value);
  }
  return exprs;
}

// The template variables as a dashboard user would pick them.
std::string Substitute(std::string expr) {
  const std::pair<const char*, const char*> variables[] = {
      {"$__rate_interval", "15s"}, {"$__range", "1m"}, {"$instance", ".+"},
      {"$job", "halfopen"},        {"$netns", ".*"},   {"$port", ".*"}};
  for (const auto& [name, value] : variables) {
    for (std::size_t at; (at = expr.find(name)) != std::string::npos;) {
      expr.replace(at, std::strlen(name), value);
    }
  }
  return expr;
}

// The expr of alert `name` in the rules file (single-line exprs).
std::string AlertExpression(const std::string& rules, const std::string& name) {
  const std::regex alert("- alert: " + name + "\\n\\s+expr: ([^\\n]+)");
  std::smatch match;
  return std::regex_search(rules, match, alert) ? match[1].str() : "";
}

// Scrapes the exporter as a user with --web.config.file would: over TLS,
// trusting `files`' CA, with basic auth.
class Prometheus {
 public:
  Prometheus(const NetNs& ns, int exporter_port, const TlsFiles& files)
      : ns_(ns) {
    char dir[] = "/tmp/halfopen-prometheus-XXXXXX";
    dir_ = mkdtemp(dir);
    // The real rules, with every `for:` shortened so that alerts go pending
    // within the test.
    std::string rules =
        ReadFile(Source("deploy/prometheus/halfopen-rules.yml"));
    rules = std::regex_replace(rules, std::regex("for: \\w+"), "for: 1m");
    std::ofstream(dir_ + "/rules.yml") << rules;
    std::ofstream(dir_ + "/prometheus.yml")
        << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        << "rule_files: [rules.yml]\n"
        << "scrape_configs:\n  - job_name: halfopen\n"
        << "    scheme: https\n"
        << "    tls_config:\n      ca_file: " << files.Path("ca.crt") << "\n"
        << "    basic_auth:\n      username: alice\n      password: "
        << kPassword << "\n"
        << "    static_configs:\n"
        << "      - targets: ['127.0.0.1:" << exporter_port << "']\n";
    process_ = std::make_unique<Process>(std::vector<std::string>{
        "ip", "netns", "exec", ns.name(), "prometheus",
        "--config.file=" + dir_ + "/prometheus.yml",
        "--storage.tsdb.path=" + dir_ + "/data",
        "--web.listen-address=127.0.0.1:9090", "--log.level=warn"});
  }
  ~Prometheus() {
    process_->Stop(SIGTERM, seconds(10));
    std::string ignored;
    RunCommand("rm -rf " + dir_, &ignored);
  }

  HttpResponse Get(const std::string& path) const {
    return ns_.HttpGet("127.0.0.1", 9090, path);
  }
  HttpResponse Query(const std::string& promql) const {
    return Get("/api/v1/query?query=" + UrlEncode(promql));
  }
  bool HasData(const std::string& promql) const {
    const HttpResponse r = Query(promql);
    return r.status == 200 &&
           r.body.find("\"status\":\"success\"") != std::string::npos &&
           r.body.find("\"result\":[]") == std::string::npos;
  }
  Process& process() { return *process_; }

 private:
  const NetNs& ns_;
  std::string dir_;
  std::unique_ptr<Process> process_;
};

// Polls `condition` every 250 ms until it holds or `timeout` passes.
bool Eventually(const std::function<bool()>& condition, seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return condition();
}

TEST(PrometheusEndToEnd,
     DashboardsAndAlertsWorkAgainstARealPrometheusScrapingOverTlsWithAuth) {
  REQUIRE_NAMESPACES();
  NetNs ns("prom");
  NetNs peer("gone");
  std::string error;
  ASSERT_TRUE(ns.ok() && peer.ok());
  ASSERT_TRUE(ConnectWithVeth(ns, "10.213.9.1", peer, "10.213.9.2", &error))
      << error;
  TlsFiles files;
  ASSERT_TRUE(files.ok()) << files.error();
  const std::string web_config = files.Write(
      "web.yml",
      "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
      "basic_auth_users:\n  alice: " +
          std::string(kPasswordHash) + "\n");
  ExporterProcess exporter({"--web.config.file=" + web_config}, &ns);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  Prometheus prometheus(ns, exporter.port(), files);
  ASSERT_TRUE(Eventually(
      [&] { return prometheus.Get("/-/ready").status == 200; }, seconds(30)))
      << prometheus.process().Stderr();
  // Scraped through TLS with basic auth: the target is up.
  ASSERT_TRUE(Eventually(
      [&] { return prometheus.HasData("up{job=\"halfopen\"} == 1"); },
      seconds(20)))
      << prometheus.Get("/api/v1/targets").body;
  ASSERT_TRUE(Eventually(
      [&] { return prometheus.HasData("halfopen_build_info"); }, seconds(20)));

  // The first seed's overflow …
  Fd listener;
  std::vector<Fd> clients;
  int port = 0;
  ns.Run([&] {
    listener = ListenTcp("127.0.0.1", 1, &port);
    for (int i = 0; i < 5; ++i)
      clients.push_back(ConnectNonBlocking("127.0.0.1", port));
  });
  // … a Unix-domain listener for the unix collector's panels (abstract:
  // nothing to clean up) …
  Fd unix_listener;
  ns.Run([&] {
    // Created inside: a socket belongs to its creator's namespace.
    unix_listener = Fd(socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string name = "hoe-prom-" + std::to_string(getpid());
    std::memcpy(address.sun_path + 1, name.data(), name.size());
    ASSERT_EQ(
        bind(unix_listener.get(), reinterpret_cast<const sockaddr*>(&address),
             static_cast<socklen_t>(sizeof(sa_family_t) + 1 + name.size())),
        0);
    ASSERT_EQ(listen(unix_listener.get(), 4), 0);
  });
  // … and a peer that vanishes with our data in flight.
  Fd peer_listener, client, server;
  int peer_port = 0;
  peer.Run([&] { peer_listener = ListenTcp("10.213.9.2", 4, &peer_port); });
  ns.Run([&] { client = ConnectBlocking("10.213.9.2", peer_port); });
  server = Accept(peer_listener);
  ASSERT_TRUE(server.valid());
  ASSERT_EQ(AddInputRule(peer, "ip saddr 10.213.9.1 drop"), 0);
  ASSERT_GT(send(client.get(), "x", 1, MSG_NOSIGNAL), 0);

  // (a) every query of every dashboard panel parses and returns data.
  std::vector<std::string> queries;
  for (const char* dashboard : {"dashboards/halfopen-overview.json",
                                "dashboards/halfopen-detail.json"}) {
    for (const auto& expr : DashboardExpressions(ReadFile(Source(dashboard)))) {
      queries.push_back(Substitute(expr));
    }
  }
  ASSERT_GE(queries.size(), 20u);
  std::vector<std::string> empty = queries;
  Eventually(
      [&] {
        std::vector<std::string> still;
        for (const auto& q : empty) {
          if (!prometheus.HasData(q)) still.push_back(q);
        }
        empty = still;
        return empty.empty();
      },
      seconds(45));
  for (const auto& q : empty) {
    ADD_FAILURE() << "no data for dashboard query: " << q << "\n"
                  << prometheus.Query(q).body;
  }

  // (b) the alerts' own expressions return results.
  const std::string rules =
      ReadFile(Source("deploy/prometheus/halfopen-rules.yml"));
  for (const char* alert :
       {"HalfopenAcceptQueueOverflowing", "HalfopenListenQueueFull",
        "HalfopenListenQueueFullOften", "HalfopenSuspectsPresent"}) {
    const std::string expr = AlertExpression(rules, alert);
    ASSERT_FALSE(expr.empty()) << alert;
    EXPECT_TRUE(
        Eventually([&] { return prometheus.HasData(expr); }, seconds(20)))
        << alert << ": " << expr;
  }

  // (c) Prometheus never saw one series twice in a scrape.
  EXPECT_FALSE(prometheus.HasData(
      "prometheus_target_scrapes_sample_duplicate_timestamp_total > 0"))
      << prometheus
             .Query(
                 "prometheus_target_scrapes_sample_duplicate_timestamp_"
                 "total")
             .body;

  // (d) the rule group's evaluation has the overflow alert pending or firing.
  EXPECT_TRUE(Eventually(
      [&] {
        const std::string body = prometheus.Get("/api/v1/alerts").body;
        return std::regex_search(
            body, std::regex("\"alertname\":\"HalfopenAcceptQueueOverflowing\""
                             "(?:(?!\"alertname\").)*"
                             "\"state\":\"(pending|firing)\""));
      },
      seconds(20)))
      << prometheus.Get("/api/v1/alerts").body;
}

}  // namespace
}  // namespace halfopen::testing
