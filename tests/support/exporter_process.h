#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/netns.h"
#include "tests/support/process.h"

namespace halfopen::testing {

/// The real halfopen_exporter binary, started on 127.0.0.1 with an
/// ephemeral port (plus any extra flags) and stopped by PID when destroyed.
class ExporterProcess {
 public:
  /// With `netns`, the exporter runs inside that namespace and Get() scrapes
  /// it from inside too. `netns` must outlive this object. `wrapper` runs
  /// before the binary (e.g. setpriv, to drop privileges).
  explicit ExporterProcess(const std::vector<std::string>& flags,
                           const NetNs* netns = nullptr,
                           const std::vector<std::string>& wrapper = {});

  /// True once the exporter logged the port it listens on.
  bool started() const { return port_ > 0; }
  int port() const { return port_; }
  Process& process() { return *process_; }

  HttpResponse Get(const std::string& path) const;
  /// A request of any method, with extra "Name: value" header lines.
  HttpResponse Request(const std::string& method, const std::string& path,
                       const std::vector<std::string>& headers = {}) const;

  /// Scrapes /metrics until `done` holds for the body or `timeout` passes
  /// (polling, bounded). Returns the last body; *satisfied says whether
  /// `done` held.
  std::string ScrapeUntil(const std::function<bool(const std::string&)>& done,
                          std::chrono::milliseconds timeout,
                          bool* satisfied) const;

 private:
  const NetNs* netns_;
  std::unique_ptr<Process> process_;
  int port_ = -1;
};

/// Runs `promtool check metrics` on `exposition`. Returns promtool's exit
/// code and sets *output to what it printed.
int PromtoolCheckMetrics(const std::string& exposition, std::string* output);

/// Evaluates the PromQL `expr` with real promtool over constant input
/// `series` (exposition sample lines, e.g. `m{a="1"} 2`) and checks that it
/// returns exactly `expected` (sample lines of the same form). Returns
/// promtool's exit code (0: as expected) and sets *output to what it printed.
int PromtoolExpectQuery(const std::vector<std::string>& series,
                        const std::string& expr,
                        const std::vector<std::string>& expected,
                        std::string* output);

}  // namespace halfopen::testing
