#include "status/html.h"

namespace halfopen {

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Td(const std::string& text) {
  return "<td>" + EscapeHtml(text) + "</td>";
}

std::string TdNumber(const std::string& text) {
  return "<td class=\"n\">" + EscapeHtml(text) + "</td>";
}

std::string HeaderRow(const std::vector<std::string>& headers) {
  std::string row = "<tr>";
  for (const std::string& header : headers) {
    row += "<th>" + EscapeHtml(header) + "</th>";
  }
  return row + "</tr>\n";
}

std::string Table(const std::vector<std::string>& headers,
                  const std::string& rows) {
  return "<div class=\"scroll\"><table>\n" + HeaderRow(headers) + rows +
         "</table></div>\n";
}

}  // namespace halfopen
