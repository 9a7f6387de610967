#pragma once

#include <deque>
#include <map>
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

/// Metric families filled sample by sample, several sources adding to the
/// same family (one namespace after another), kept in the order each was
/// first asked for.
class FamilyList {
 public:
  /// The family `name`, created empty with `help` and `type` the first time.
  /// The reference stays valid until MoveTo().
  prometheus::MetricFamily& Get(const std::string& name,
                                const std::string& help,
                                prometheus::MetricType type);

  /// Appends every family to *out, in order, and empties the list.
  void MoveTo(std::vector<prometheus::MetricFamily>* out);

 private:
  std::deque<prometheus::MetricFamily> families_;  // Stable references.
  std::map<std::string, std::size_t> index_;
};

}  // namespace halfopen
