#include "decode/counter_parser.h"

#include <vector>

#include "base/numbers.h"

namespace halfopen {
namespace {

struct Line {
  int number;
  std::string_view prefix;
  std::vector<std::string_view> fields;
};

std::vector<std::string_view> SplitFields(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    const std::size_t end = text.find(' ', pos);
    const std::size_t stop = end == std::string_view::npos ? text.size() : end;
    if (stop > pos) fields.push_back(text.substr(pos, stop - pos));
    pos = stop;
  }
  return fields;
}

std::string Where(std::string_view file_name, int line) {
  return std::string(file_name) + " line " + std::to_string(line) + ": ";
}

Status SplitLine(std::string_view file_name, int number, std::string_view text,
                 Line* line) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::Error(Where(file_name, number) +
                         "does not start with \"Prefix:\"");
  }
  line->number = number;
  line->prefix = text.substr(0, colon);
  line->fields = SplitFields(text.substr(colon + 1));
  return Status::Ok();
}

Status MergePair(std::string_view file_name, const Line& header,
                 const Line& values, CounterTable* out) {
  const std::string prefix(header.prefix);
  if (values.prefix != header.prefix) {
    return Status::Error(Where(file_name, values.number) +
                         "expected values for " + prefix + ", got " +
                         std::string(values.prefix));
  }
  if (values.fields.size() != header.fields.size()) {
    return Status::Error(
        Where(file_name, values.number) + prefix + " value line has " +
        std::to_string(values.fields.size()) + " fields, header line has " +
        std::to_string(header.fields.size()));
  }
  auto& counters = (*out)[prefix];
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    double value = 0;
    if (!ParseWholeNumber(values.fields[i], &value)) {
      return Status::Error(Where(file_name, values.number) + prefix + " " +
                           std::string(header.fields[i]) + " value \"" +
                           std::string(values.fields[i]) +
                           "\" is not a number");
    }
    counters[std::string(header.fields[i])] = value;
  }
  return Status::Ok();
}

}  // namespace

Status ParseCounterFile(std::string_view file_name, std::string_view text,
                        CounterTable* out) {
  std::vector<Line> lines;
  int number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = text.find('\n', pos);
    const std::size_t stop = end == std::string_view::npos ? text.size() : end;
    const std::string_view raw = text.substr(pos, stop - pos);
    pos = stop + 1;
    ++number;
    if (raw.empty()) continue;
    Line line;
    Status status = SplitLine(file_name, number, raw, &line);
    if (!status.ok()) return status;
    lines.push_back(line);
  }
  if (lines.empty())
    return Status::Error(std::string(file_name) + ": empty file");
  for (std::size_t i = 0; i < lines.size(); i += 2) {
    if (i + 1 == lines.size()) {
      return Status::Error(Where(file_name, lines[i].number) +
                           "header line for " + std::string(lines[i].prefix) +
                           " has no value line");
    }
    Status status = MergePair(file_name, lines[i], lines[i + 1], out);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

const double* FindCounter(const CounterTable& table, const std::string& prefix,
                          const std::string& name) {
  const auto group = table.find(prefix);
  if (group == table.end()) return nullptr;
  const auto counter = group->second.find(name);
  return counter == group->second.end() ? nullptr : &counter->second;
}

}  // namespace halfopen
