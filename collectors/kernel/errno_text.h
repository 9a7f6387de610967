#pragma once

#include <string>

namespace halfopen {

/// "ENOENT (No such file or directory)" for errno 2: the symbolic name and
/// the text, or "errno N (…)" for a number this libc has no name for.
std::string ErrnoText(int error_number);

}  // namespace halfopen
