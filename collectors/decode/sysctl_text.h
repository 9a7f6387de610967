#pragma once

#include <string_view>

#include "base/status.h"

namespace halfopen {

/// Parses the text of an integer sysctl file ("15\n") into *value. Trailing
/// newlines and spaces are ignored; anything else that is not one whole
/// number in the range of a C int (where the kernel keeps these sysctls) is
/// an error naming `file_name` and the text, e.g.
/// `/proc/sys/net/ipv4/tcp_retries2: "abc" is not a whole number`. *value is
/// left alone on error. Pure.
Status ParseSysctlValue(std::string_view file_name, std::string_view text,
                        double* value);

}  // namespace halfopen
