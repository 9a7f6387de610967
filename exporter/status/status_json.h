#pragma once

#include <string>

#include "status/status_model.h"

namespace halfopen {

/// `halfopen_exporter --once --once.format=json`: the tables of the text
/// view as one JSON object, for scripts: labels as strings, values as
/// numbers, and null for a give-up time of never (+Inf) or a value absent.
std::string RenderStatusJson(const StatusModel& model);

}  // namespace halfopen
