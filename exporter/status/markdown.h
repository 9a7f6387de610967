#pragma once

#include <string>
#include <string_view>

namespace halfopen {

/// The anchor GitHub gives a heading: lower case, spaces as '-', and
/// nothing but letters, digits, '-' and '_' kept. "HalfopenExporterDown"
/// → "halfopenexporterdown".
std::string HeadingAnchor(std::string_view heading);

/// HTML for the Markdown the project's documents use: ATX headings (with
/// HeadingAnchor ids), paragraphs, '-' and numbered lists with indented
/// continuation lines, fenced code blocks, and inline `code`, **bold** and
/// [links](url). Everything else is text; all text is escaped.
std::string MarkdownToHtml(std::string_view markdown);

/// A whole page with the project's inline style and no external assets:
/// `title` (escaped), then `head` and `body`, which are HTML already (a
/// page adds its own <style> or <meta> through `head`).
std::string HtmlPage(std::string_view title, std::string_view head,
                     std::string_view body);

/// A whole page: `title`, the project's inline style, and MarkdownToHtml of
/// `markdown`. No external assets.
std::string RenderDocumentPage(std::string_view title,
                               std::string_view markdown);

}  // namespace halfopen
