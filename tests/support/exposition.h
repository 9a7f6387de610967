#pragma once

#include <optional>
#include <string>
#include <vector>

namespace halfopen::testing {

/// The value of one sample in a text exposition, found by its series exactly
/// as rendered (e.g. `halfopen_tcp_connections{state="listen"}` or
/// `halfopen_kernel_tcp_retries2`); nullopt when absent. +Inf/NaN parse.
std::optional<double> SampleValue(const std::string& exposition,
                                  const std::string& series);

/// The value of the first sample of `metric` whose labels contain every
/// `name="value"` in `labels` (e.g. {"reason=\"peer_missing\"",
/// "local_port=\"40000\""}); nullopt when none.
std::optional<double> FindSample(const std::string& exposition,
                                 const std::string& metric,
                                 const std::vector<std::string>& labels);

/// The largest value among the samples of `metric`, or 0 when it has none.
double MaxSample(const std::string& exposition, const std::string& metric);

/// Every series that appears more than once in `exposition`, as
/// `name{label="value",…}` with the labels sorted and empty-valued labels
/// dropped (Prometheus treats those as absent), once per extra occurrence.
/// Lines it cannot parse are returned too, prefixed with "unparsable: ".
std::vector<std::string> DuplicateSeries(const std::string& exposition);

/// How many samples of `metric` the exposition has.
int CountSamples(const std::string& exposition, const std::string& metric);

/// The sample lines of `metric`, e.g. `m{a="1"} 2`, in exposition order.
std::vector<std::string> SampleLines(const std::string& exposition,
                                     const std::string& metric);

}  // namespace halfopen::testing
