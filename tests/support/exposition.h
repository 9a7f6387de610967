#pragma once

#include <optional>
#include <string>

namespace halfopen::testing {

/// The value of one sample in a text exposition, found by its series exactly
/// as rendered (e.g. `halfopen_tcp_connections{state="listen"}` or
/// `halfopen_kernel_tcp_retries2`); nullopt when absent. +Inf/NaN parse.
std::optional<double> SampleValue(const std::string& exposition,
                                  const std::string& series);

}  // namespace halfopen::testing
