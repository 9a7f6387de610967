#include "status/markdown.h"

#include <cctype>
#include <vector>

#include "status/html.h"

namespace halfopen {
namespace {

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string_view TrimLeft(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  return text;
}

bool IsBlank(std::string_view line) { return TrimLeft(line).empty(); }

// Inline markup of one block's text: `code`, **bold**, [text](url).
std::string Inline(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '`') {
      const std::size_t end = text.find('`', i + 1);
      if (end != std::string_view::npos) {
        out +=
            "<code>" + EscapeHtml(text.substr(i + 1, end - i - 1)) + "</code>";
        i = end + 1;
        continue;
      }
    }
    if (text.substr(i, 2) == "**") {
      const std::size_t end = text.find("**", i + 2);
      if (end != std::string_view::npos) {
        out +=
            "<strong>" + Inline(text.substr(i + 2, end - i - 2)) + "</strong>";
        i = end + 2;
        continue;
      }
    }
    if (text[i] == '[') {
      const std::size_t close = text.find("](", i + 1);
      const std::size_t end = close == std::string_view::npos
                                  ? std::string_view::npos
                                  : text.find(')', close + 2);
      if (end != std::string_view::npos) {
        out += "<a href=\"" +
               EscapeHtml(text.substr(close + 2, end - close - 2)) + "\">" +
               Inline(text.substr(i + 1, close - i - 1)) + "</a>";
        i = end + 1;
        continue;
      }
    }
    const std::size_t next = text.find_first_of("`*[", i + 1);
    const std::size_t stop =
        next == std::string_view::npos ? text.size() : next;
    out += EscapeHtml(text.substr(i, stop - i));
    i = stop;
  }
  return out;
}

// The level of an ATX heading line ("## x" → 2), or 0.
int HeadingLevel(std::string_view line) {
  int level = 0;
  while (level < static_cast<int>(line.size()) && line[level] == '#') ++level;
  if (level == 0 || level > 6 || level >= static_cast<int>(line.size()) ||
      line[level] != ' ') {
    return 0;
  }
  return level;
}

// The text after a list marker ("- ", "12. "), or npos when `line` is no
// list item; `ordered` says which kind.
std::size_t ListItemStart(std::string_view line, bool* ordered) {
  if (StartsWith(line, "- ") || StartsWith(line, "* ")) {
    *ordered = false;
    return 2;
  }
  std::size_t digits = 0;
  while (digits < line.size() &&
         std::isdigit(static_cast<unsigned char>(line[digits]))) {
    ++digits;
  }
  if (digits > 0 && line.substr(digits, 2) == ". ") {
    *ordered = true;
    return digits + 2;
  }
  return std::string_view::npos;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::string Joined(const std::vector<std::string_view>& parts) {
  std::string text;
  for (const std::string_view part : parts) {
    if (!text.empty()) text += ' ';
    text += TrimLeft(part);
  }
  return text;
}

}  // namespace

std::string HeadingAnchor(std::string_view heading) {
  std::string anchor;
  for (const char c : heading) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_') {
      anchor += static_cast<char>(std::tolower(u));
    } else if (c == ' ') {
      anchor += '-';
    }
  }
  return anchor;
}

std::string MarkdownToHtml(std::string_view markdown) {
  const std::vector<std::string_view> lines = Lines(markdown);
  std::string html;
  std::size_t i = 0;
  while (i < lines.size()) {
    const std::string_view line = lines[i];
    if (IsBlank(line)) {
      ++i;
      continue;
    }
    if (StartsWith(TrimLeft(line), "```")) {
      html += "<pre><code>";
      for (++i; i < lines.size() && !StartsWith(TrimLeft(lines[i]), "```");
           ++i) {
        html += EscapeHtml(lines[i]) + "\n";
      }
      html += "</code></pre>\n";
      ++i;  // The closing fence.
      continue;
    }
    if (const int level = HeadingLevel(line); level > 0) {
      const std::string_view text = line.substr(level + 1);
      // Appended piece by piece: GCC 12 at -O3 misreads "<" + tag as an
      // overlapping copy (-Wrestrict).
      const std::string tag = std::string("h") += std::to_string(level);
      html += '<';
      html += tag;
      html += " id=\"";
      html += HeadingAnchor(text);
      html += "\">";
      html += Inline(text);
      html += "</";
      html += tag;
      html += ">\n";
      ++i;
      continue;
    }
    bool ordered = false;
    if (ListItemStart(line, &ordered) != std::string_view::npos) {
      html += ordered ? "<ol>\n" : "<ul>\n";
      bool item_ordered = ordered;
      std::size_t start = 0;
      while (i < lines.size() &&
             (start = ListItemStart(lines[i], &item_ordered)) !=
                 std::string_view::npos &&
             item_ordered == ordered) {
        std::vector<std::string_view> parts = {lines[i].substr(start)};
        // Continuation lines: indented, not blank.
        for (++i; i < lines.size() && !IsBlank(lines[i]) &&
                  (lines[i][0] == ' ' || lines[i][0] == '\t');
             ++i) {
          parts.push_back(lines[i]);
        }
        html += "<li>" + Inline(Joined(parts)) + "</li>\n";
      }
      html += ordered ? "</ol>\n" : "</ul>\n";
      continue;
    }
    std::vector<std::string_view> parts;
    for (; i < lines.size() && !IsBlank(lines[i]) &&
           HeadingLevel(lines[i]) == 0 &&
           !StartsWith(TrimLeft(lines[i]), "```") &&
           ListItemStart(lines[i], &ordered) == std::string_view::npos;
         ++i) {
      parts.push_back(lines[i]);
    }
    html += "<p>" + Inline(Joined(parts)) + "</p>\n";
  }
  return html;
}

std::string HtmlPage(std::string_view title, std::string_view head,
                     std::string_view body) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
         "charset=\"utf-8\">\n<meta name=\"viewport\" "
         "content=\"width=device-width, initial-scale=1\">\n<title>" +
         EscapeHtml(title) +
         "</title>\n<style>\n"
         "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem "
         "auto;padding:0 1rem;line-height:1.5;color:#1b1f24}\n"
         "code,pre{font-family:ui-monospace,monospace;background:#f2f4f7;"
         "border-radius:3px}\n"
         "code{padding:0 .2em}pre{padding:.6em;overflow-x:auto}\n"
         "h2{border-top:1px solid #d0d7de;padding-top:1rem;margin-top:2rem}\n"
         "h2:target{background:#fff8c5}\n"
         "</style>\n" +
         std::string(head) + "</head>\n<body>\n" + std::string(body) +
         "</body>\n</html>\n";
}

std::string RenderDocumentPage(std::string_view title,
                               std::string_view markdown) {
  return HtmlPage(title, "", MarkdownToHtml(markdown));
}

}  // namespace halfopen
