#pragma once

#include <string>
#include <string_view>

namespace halfopen {

/// `text` with its control bytes written as \n, \r, \t or \xNN, so that a
/// value from a command line or a file cannot break a one-line message in
/// two: Escaped("a\nb") is "a\\nb". Other bytes are kept as they are.
std::string Escaped(std::string_view text);

/// Escaped(text) in double quotes.
std::string Quoted(std::string_view text);

/// `text` with `"` and `\` escaped and control characters written as \n, \t
/// or \u00XX, so it fits inside a quoted logfmt or JSON string.
std::string EscapeQuoted(std::string_view text);

}  // namespace halfopen
