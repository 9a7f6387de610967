#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace halfopen {

/// The HTML helpers of every page (landing, status, runbook): one home, so
/// that escaping is done one way. All of them escape what they are given.

/// `text` with &, <, >, " and ' replaced by HTML entities.
std::string EscapeHtml(std::string_view text);

/// A table cell: `<td>text</td>`.
std::string Td(const std::string& text);

/// A right-aligned numeric cell (class "n", tabular figures).
std::string TdNumber(const std::string& text);

/// A header row: one `<th>` per header.
std::string HeaderRow(const std::vector<std::string>& headers);

/// A table with `headers` and the already rendered `rows`, in a div that
/// scrolls sideways on a narrow screen (class "scroll").
std::string Table(const std::vector<std::string>& headers,
                  const std::string& rows);

}  // namespace halfopen
