#include "tests/support/exposition.h"

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

}  // namespace halfopen::testing
