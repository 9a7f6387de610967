#pragma once

#include <string>
#include <utility>
#include <vector>

#include "prometheus/metric_family.h"

namespace halfopen {

/// A label as (name, value), in the order it should be rendered.
using LabelPairs = std::vector<std::pair<std::string, std::string>>;

/// An empty metric family of the given name, help text and type.
prometheus::MetricFamily NewFamily(std::string name, std::string help,
                                   prometheus::MetricType type);

/// Appends one sample to *family, storing `value` in the field that matches
/// the family's type (gauge, counter or untyped).
void AddSample(prometheus::MetricFamily* family, const LabelPairs& labels,
               double value);

}  // namespace halfopen
