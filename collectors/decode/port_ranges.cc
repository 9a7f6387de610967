#include "decode/port_ranges.h"

#include <string>

#include "base/numbers.h"

namespace halfopen {
namespace {

bool ParsePort(std::string_view text, std::uint16_t* port) {
  double value = 0;
  if (!ParseWholeNumber(text, &value) || value < 0 || value > 65535) {
    return false;
  }
  *port = static_cast<std::uint16_t>(value);
  return true;
}

}  // namespace

std::string ParsePortRanges(std::string_view text,
                            std::vector<PortRange>* ranges) {
  ranges->clear();
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
    const std::size_t dash = item.find('-');
    PortRange range;
    const std::string_view first = item.substr(0, dash);
    const std::string_view last =
        dash == std::string_view::npos ? first : item.substr(dash + 1);
    if (!ParsePort(first, &range.first) || !ParsePort(last, &range.last)) {
      return "want ports and ranges like 22,80,8000-8999; \"" +
             std::string(item) + "\" is not one";
    }
    if (range.first > range.last) {
      return "the range \"" + std::string(item) + "\" ends before it starts";
    }
    ranges->push_back(range);
  }
  return "";
}

}  // namespace halfopen
