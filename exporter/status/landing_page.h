#pragma once

#include <string>
#include <vector>

namespace halfopen {

/// The HTML served at `/`: name, version, links to the metrics path, the
/// status page and the runbook, and the enabled collectors. Inputs are
/// escaped.
std::string RenderLandingPage(const std::string& version,
                              const std::string& telemetry_path,
                              const std::vector<std::string>& collectors);

}  // namespace halfopen
