#include "tests/support/exposition.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>
#include <utility>

namespace halfopen::testing {

std::optional<double> SampleValue(const std::string& exposition,
                                  const std::string& series) {
  std::istringstream in(exposition);
  std::string line;
  const std::string prefix = series + " ";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    const std::string value = line.substr(prefix.size());
    if (value == "+Inf") return HUGE_VAL;
    if (value == "-Inf") return -HUGE_VAL;
    return std::strtod(value.c_str(), nullptr);
  }
  return std::nullopt;
}

namespace {

std::optional<double> ParseValue(const std::string& value) {
  if (value == "+Inf") return HUGE_VAL;
  if (value == "-Inf") return -HUGE_VAL;
  return std::strtod(value.c_str(), nullptr);
}

}  // namespace

std::optional<double> FindSample(const std::string& exposition,
                                 const std::string& metric,
                                 const std::vector<std::string>& labels) {
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(metric + "{", 0) != 0) continue;
    const auto close = line.rfind("} ");
    if (close == std::string::npos) continue;
    const std::string label_text = line.substr(0, close + 1);
    bool all = true;
    for (const auto& label : labels) {
      all = all && (label_text.find("{" + label) != std::string::npos ||
                    label_text.find("," + label) != std::string::npos);
    }
    if (all) return ParseValue(line.substr(close + 2));
  }
  return std::nullopt;
}

double MaxSample(const std::string& exposition, const std::string& metric) {
  std::istringstream in(exposition);
  std::string line;
  double max = 0;
  while (std::getline(in, line)) {
    if (line.rfind(metric + "{", 0) != 0 && line.rfind(metric + " ", 0) != 0) {
      continue;
    }
    const auto space = line.rfind(' ');
    max = std::max(max, ParseValue(line.substr(space + 1)).value_or(0));
  }
  return max;
}

namespace {

// Parses `name{a="x",b="y"} value` into its series key; false if malformed.
bool SeriesKey(const std::string& line, std::string* key) {
  const std::size_t brace = line.find('{');
  const std::size_t space = line.find(' ');
  if (brace == std::string::npos ||
      (space != std::string::npos && space < brace)) {
    if (space == std::string::npos) return false;
    *key = line.substr(0, space);
    return true;
  }
  std::vector<std::pair<std::string, std::string>> labels;
  std::size_t i = brace + 1;
  while (i < line.size() && line[i] != '}') {
    const std::size_t eq = line.find("=\"", i);
    if (eq == std::string::npos) return false;
    std::string name = line.substr(i, eq - i), value;
    for (i = eq + 2; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) ++i;
      value += line[i];
    }
    if (i >= line.size()) return false;
    ++i;  // closing quote
    if (i < line.size() && line[i] == ',') ++i;
    if (!value.empty()) labels.emplace_back(std::move(name), std::move(value));
  }
  if (i >= line.size()) return false;
  std::sort(labels.begin(), labels.end());
  *key = line.substr(0, brace) + "{";
  for (const auto& [name, value] : labels) {
    *key += name + "=\"" + value + "\",";
  }
  *key += "}";
  return true;
}

}  // namespace

std::vector<std::string> DuplicateSeries(const std::string& exposition) {
  std::vector<std::string> duplicates;
  std::set<std::string> seen;
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::string key;
    if (!SeriesKey(line, &key)) {
      duplicates.push_back("unparsable: " + line);
    } else if (!seen.insert(key).second) {
      duplicates.push_back(key);
    }
  }
  return duplicates;
}

std::vector<std::string> SampleLines(const std::string& exposition,
                                     const std::string& metric) {
  std::istringstream in(exposition);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) {
    if (line.rfind(metric + "{", 0) == 0 || line.rfind(metric + " ", 0) == 0) {
      lines.push_back(line);
    }
  }
  return lines;
}

int CountSamples(const std::string& exposition, const std::string& metric) {
  return static_cast<int>(SampleLines(exposition, metric).size());
}

}  // namespace halfopen::testing
