#include "decode/sysctl_text.h"

#include <limits>
#include <string>

#include "base/numbers.h"
#include "base/quoted.h"

namespace halfopen {

Status ParseSysctlValue(std::string_view file_name, std::string_view text,
                        double* value) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  double parsed = 0;
  if (!ParseWholeNumber(text, &parsed)) {
    return Status::Error(std::string(file_name) + ": " + Quoted(text) +
                         " is not a whole number");
  }
  // The kernel keeps every sysctl read here in a C int (proc_dointvec);
  // anything wider is no sysctl of a real kernel, and would not fit the
  // model's settings.
  if (parsed < std::numeric_limits<int>::min() ||
      parsed > std::numeric_limits<int>::max()) {
    return Status::Error(std::string(file_name) + ": " + Quoted(text) +
                         " is out of the range of an int");
  }
  *value = parsed;
  return Status::Ok();
}

}  // namespace halfopen
