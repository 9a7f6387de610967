#pragma once

#include <cstddef>
#include <string>

#include "status/status_model.h"

namespace halfopen {

struct StatusPageOptions {
  std::string telemetry_path = "/metrics";  ///< Linked from the page.
  int refresh_seconds = 5;                  ///< The page reloads itself.
  std::size_t max_listeners = 100;          ///< Rows shown, fullest first.
};

/// The HTML served at /status: a summary line, then the listeners (queue
/// length against limit as a bar), the top suspects, the kernel settings
/// and give-up times, the netstat counters' change since the exporter
/// started, and the collectors' health. Inline style, no script, no
/// external asset; a meta refresh reloads it. Everything from the model is
/// escaped.
std::string RenderStatusPage(const StatusModel& model,
                             const StatusPageOptions& options);

}  // namespace halfopen
