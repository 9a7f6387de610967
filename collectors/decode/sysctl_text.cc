#include "decode/sysctl_text.h"

#include <string>

#include "base/numbers.h"

namespace halfopen {

Status ParseSysctlValue(std::string_view file_name, std::string_view text,
                        double* value) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  if (!ParseWholeNumber(text, value)) {
    return Status::Error(std::string(file_name) + ": \"" + std::string(text) +
                         "\" is not a whole number");
  }
  return Status::Ok();
}

}  // namespace halfopen
