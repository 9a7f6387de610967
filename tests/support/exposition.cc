#include "tests/support/exposition.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace halfopen::testing {

std::optional<double> SampleValue(const std::string& exposition,
                                  const std::string& series) {
  std::istringstream in(exposition);
  std::string line;
  const std::string prefix = series + " ";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    const std::string value = line.substr(prefix.size());
    if (value == "+Inf") return HUGE_VAL;
    if (value == "-Inf") return -HUGE_VAL;
    return std::strtod(value.c_str(), nullptr);
  }
  return std::nullopt;
}

namespace {

std::optional<double> ParseValue(const std::string& value) {
  if (value == "+Inf") return HUGE_VAL;
  if (value == "-Inf") return -HUGE_VAL;
  return std::strtod(value.c_str(), nullptr);
}

}  // namespace

std::optional<double> FindSample(const std::string& exposition,
                                 const std::string& metric,
                                 const std::vector<std::string>& labels) {
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(metric + "{", 0) != 0) continue;
    const auto close = line.rfind("} ");
    if (close == std::string::npos) continue;
    const std::string label_text = line.substr(0, close + 1);
    bool all = true;
    for (const auto& label : labels) {
      all = all && (label_text.find("{" + label) != std::string::npos ||
                    label_text.find("," + label) != std::string::npos);
    }
    if (all) return ParseValue(line.substr(close + 2));
  }
  return std::nullopt;
}

double MaxSample(const std::string& exposition, const std::string& metric) {
  std::istringstream in(exposition);
  std::string line;
  double max = 0;
  while (std::getline(in, line)) {
    if (line.rfind(metric + "{", 0) != 0 && line.rfind(metric + " ", 0) != 0) {
      continue;
    }
    const auto space = line.rfind(' ');
    max = std::max(max, ParseValue(line.substr(space + 1)).value_or(0));
  }
  return max;
}

}  // namespace halfopen::testing
