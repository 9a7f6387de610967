#pragma once

#include <string_view>

namespace halfopen {

/// Parses the whole of `text` as a base-10 whole number with an optional
/// leading '-', its magnitude up to 2^64 - 1 (kernel counters are unsigned
/// 64-bit; a few, like Tcp MaxConn, are signed). The value is returned as a
/// double, which is what Prometheus stores. False on anything else: empty
/// text, spaces, a '+', a fraction, or overflow.
bool ParseWholeNumber(std::string_view text, double* value);

/// Parses the whole of `text` as a finite decimal number ("0.5", "1e3",
/// "-2"). False on anything else, including "inf", "nan" and a leading '+'.
bool ParseDecimal(std::string_view text, double* value);

}  // namespace halfopen
