#pragma once

#include <deque>
#include <map>
#include <span>
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

/// Appends to *out a family holding one sample without labels.
void AppendSingle(std::vector<prometheus::MetricFamily>* out, std::string name,
                  std::string help, prometheus::MetricType type, double value);

/// One metric of a table whose metrics all read the same kind of row (a
/// listener, a namespace's samples): declaring a metric is one line.
template <typename Row>
struct MetricSpec {
  const char* name;
  const char* help;
  prometheus::MetricType type;
  double (*value)(const Row&);
  /// Null: every row has a sample. Otherwise rows for which it is false
  /// have none (a family exported only where it is non-zero).
  bool (*present)(const Row&) = nullptr;
};

/// A family for each spec of a table, filled row by row (each row's series
/// under its labels) and moved out in the table's order. The table must
/// outlive this.
template <typename Row>
class FamilyTable {
 public:
  explicit FamilyTable(std::span<const MetricSpec<Row>> specs) : specs_(specs) {
    families_.reserve(specs.size());
    for (const MetricSpec<Row>& spec : specs) {
      families_.push_back(NewFamily(spec.name, spec.help, spec.type));
    }
  }

  /// One sample of every metric the row has, under `labels`.
  void Add(const LabelPairs& labels, const Row& row) {
    for (std::size_t i = 0; i < specs_.size(); ++i) {
      const MetricSpec<Row>& spec = specs_[i];
      if (spec.present == nullptr || spec.present(row)) {
        AddSample(&families_[i], labels, spec.value(row));
      }
    }
  }

  /// Appends every family to *out, in the table's order, and empties them.
  void MoveTo(std::vector<prometheus::MetricFamily>* out) {
    for (auto& family : families_) out->push_back(std::move(family));
    families_.clear();
  }

 private:
  std::span<const MetricSpec<Row>> specs_;
  std::vector<prometheus::MetricFamily> families_;
};

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
