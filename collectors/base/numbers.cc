#include "base/numbers.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace halfopen {

bool ParseWholeNumber(std::string_view text, double* value) {
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  std::uint64_t magnitude = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), magnitude);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return false;
  }
  *value = negative ? -static_cast<double>(magnitude)
                    : static_cast<double>(magnitude);
  return true;
}

bool ParseDecimal(std::string_view text, double* value) {
  double parsed = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(parsed)) {
    return false;
  }
  *value = parsed;
  return true;
}

}  // namespace halfopen
