#include "status/markdown.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace halfopen {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(HeadingAnchor, FollowsGithubsRule) {
  EXPECT_EQ(HeadingAnchor("HalfopenExporterDown"), "halfopenexporterdown");
  EXPECT_EQ(HeadingAnchor("What it means (the short form)"),
            "what-it-means-the-short-form");
  EXPECT_EQ(HeadingAnchor("tcp_info & friends"), "tcp_info--friends");
}

TEST(MarkdownToHtml, HeadingsCarryTheirAnchors) {
  EXPECT_EQ(
      MarkdownToHtml("## HalfopenListenQueueFull\n"),
      "<h2 id=\"halfopenlistenqueuefull\">HalfopenListenQueueFull</h2>\n");
  EXPECT_EQ(MarkdownToHtml("#NoSpace\n"), "<p>#NoSpace</p>\n");
}

TEST(MarkdownToHtml, ParagraphsJoinTheirLinesAndEndAtABlankLine) {
  EXPECT_EQ(MarkdownToHtml("one\ntwo\n\nthree\n"),
            "<p>one two</p>\n<p>three</p>\n");
}

TEST(MarkdownToHtml, ListsTakeTheirIndentedContinuationLines) {
  EXPECT_EQ(MarkdownToHtml("- first\n  still first\n- second\n\n1. one\n"),
            "<ul>\n<li>first still first</li>\n<li>second</li>\n</ul>\n"
            "<ol>\n<li>one</li>\n</ol>\n");
}

TEST(MarkdownToHtml, CodeBlocksKeepTheirLinesEscaped) {
  EXPECT_EQ(MarkdownToHtml("```\nss -ltn 'sport < 1024'\n**not bold**\n```\n"),
            "<pre><code>ss -ltn &#39;sport &lt; 1024&#39;\n**not bold**\n"
            "</code></pre>\n");
}

TEST(MarkdownToHtml, InlineCodeBoldAndLinks) {
  EXPECT_EQ(MarkdownToHtml("**What.** Run `a<b` and see [the docs](x.md#y)."),
            "<p><strong>What.</strong> Run <code>a&lt;b</code> and see "
            "<a href=\"x.md#y\">the docs</a>.</p>\n");
}

TEST(MarkdownToHtml, UnclosedMarkupIsText) {
  EXPECT_EQ(MarkdownToHtml("a `b and **c and [d\n"),
            "<p>a `b and **c and [d</p>\n");
}

TEST(MarkdownToHtml, EscapesMarkupInText) {
  const std::string html =
      MarkdownToHtml("<script>alert(1)</script> & \"quotes\"");
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;"));
  EXPECT_THAT(html, HasSubstr("&amp; &quot;quotes&quot;"));
}

TEST(RenderDocumentPage, IsAWholePageWithNoExternalAssets) {
  const std::string page = RenderDocumentPage("A <title>", "# Hello\n");
  EXPECT_THAT(page, HasSubstr("<title>A &lt;title&gt;</title>"));
  EXPECT_THAT(page, HasSubstr("<h1 id=\"hello\">Hello</h1>"));
  EXPECT_THAT(page, Not(HasSubstr("src=")));
  EXPECT_THAT(page, Not(HasSubstr("<link")));
}

}  // namespace
}  // namespace halfopen
