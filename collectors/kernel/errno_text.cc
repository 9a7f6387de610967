#include "kernel/errno_text.h"

#include <string.h>

#include <cstring>

namespace halfopen {

std::string ErrnoText(int error_number) {
  const char* name = strerrorname_np(error_number);
  return std::string(
             name != nullptr ? name : "errno " + std::to_string(error_number)) +
         " (" + std::strerror(error_number) + ")";
}

}  // namespace halfopen
