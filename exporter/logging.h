#pragma once

#include <memory>
#include <string>

#include "spdlog/formatter.h"

namespace halfopen {

/// A formatter rendering each event of engine/log.h as one line: `ts=…
/// level=… msg="…" key=value …` (format "logfmt") or one JSON object with one
/// member per field (format "json"). Any other format name yields logfmt.
std::unique_ptr<spdlog::formatter> MakeLogFormatter(const std::string& format);

/// Points spdlog's default logger at stderr with the given level name
/// (debug|info|warn|error, already validated) and format.
void ConfigureLogging(const std::string& level, const std::string& format);

}  // namespace halfopen
