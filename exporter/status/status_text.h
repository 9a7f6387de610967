#pragma once

#include <string>
#include <vector>

#include "status/status_model.h"

namespace halfopen {

/// Columns of text aligned by padding, for a terminal: each cell padded to
/// its column's widest (counted in characters, not bytes), two spaces
/// between columns, no trailing spaces.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> headers);
  /// Cells past the headers' count are dropped; missing ones are empty.
  void AddRow(std::vector<std::string> cells);
  bool empty() const { return rows_.size() == 1; }
  std::string Render() const;

 private:
  std::vector<std::vector<std::string>> rows_;  // The headers first.
};

/// `halfopen_exporter --once`: a title line (saying how long the exporter
/// watched, when the model has a baseline), then aligned tables of the
/// listeners, the suspects, the kernel settings and give-up times, and the
/// collectors (a NETNS column first when the series carry one).
std::string RenderStatusText(const StatusModel& model);

}  // namespace halfopen
