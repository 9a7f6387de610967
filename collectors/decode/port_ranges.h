#pragma once

#include <string_view>
#include <vector>

#include "model/listener_selection.h"

namespace halfopen {

/// Parses a comma-separated list of ports and port ranges, e.g.
/// "22,80,8000-8999", into *ranges. Empty text gives no ranges. Returns ""
/// on success, else what is wrong, e.g. `"70000" is not a port (0-65535)`.
/// Pure.
std::string ParsePortRanges(std::string_view text,
                            std::vector<PortRange>* ranges);

}  // namespace halfopen
