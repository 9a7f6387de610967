#include "decode/snake_case.h"

#include <cctype>

namespace halfopen {
namespace {

bool Upper(char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; }
bool Lower(char c) { return std::islower(static_cast<unsigned char>(c)) != 0; }
bool Digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::string SnakeCase(std::string_view camel) {
  std::string out;
  for (std::size_t i = 0; i < camel.size(); ++i) {
    const char c = camel[i];
    if (i > 0 && Upper(c)) {
      const char previous = camel[i - 1];
      const bool next_lower = i + 1 < camel.size() && Lower(camel[i + 1]);
      if (Lower(previous) || Digit(previous) ||
          (Upper(previous) && next_lower)) {
        out += '_';
      }
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace halfopen
