#include "engine/family.h"

namespace halfopen {

prometheus::MetricFamily NewFamily(std::string name, std::string help,
                                   prometheus::MetricType type) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

void AddSample(prometheus::MetricFamily* family, const LabelPairs& labels,
               double value) {
  prometheus::ClientMetric metric;
  for (const auto& [name, label_value] : labels) {
    metric.label.push_back({name, label_value});
  }
  switch (family->type) {
    case prometheus::MetricType::Counter:
      metric.counter.value = value;
      break;
    case prometheus::MetricType::Gauge:
      metric.gauge.value = value;
      break;
    default:
      metric.untyped.value = value;
      break;
  }
  family->metric.push_back(std::move(metric));
}

void AppendSingle(std::vector<prometheus::MetricFamily>* out, std::string name,
                  std::string help, prometheus::MetricType type, double value) {
  out->push_back(NewFamily(std::move(name), std::move(help), type));
  AddSample(&out->back(), {}, value);
}

prometheus::MetricFamily& FamilyList::Get(const std::string& name,
                                          const std::string& help,
                                          prometheus::MetricType type) {
  const auto [it, inserted] = index_.try_emplace(name, families_.size());
  if (inserted) families_.push_back(NewFamily(name, help, type));
  return families_[it->second];
}

void FamilyList::MoveTo(std::vector<prometheus::MetricFamily>* out) {
  for (auto& family : families_) out->push_back(std::move(family));
  families_.clear();
  index_.clear();
}

}  // namespace halfopen
