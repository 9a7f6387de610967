#include "status/landing_page.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "status/html.h"

namespace halfopen {
namespace {

using ::testing::HasSubstr;

TEST(LandingPage, LinksTheMetricsPathAndListsCollectors) {
  const std::string page =
      RenderLandingPage("0.1.0", "/metrics", {"netstat", "sockets"});
  EXPECT_THAT(page, HasSubstr("<a href=\"/metrics\">/metrics</a>"));
  EXPECT_THAT(page, HasSubstr("<a href=\"/status\">Status</a>"));
  EXPECT_THAT(page, HasSubstr("<li>netstat</li>\n<li>sockets</li>"));
  EXPECT_THAT(page, HasSubstr("Version 0.1.0."));
}

TEST(LandingPage, EscapesWhatItEmbeds) {
  EXPECT_THAT(RenderLandingPage("1", "/m\"><script>", {}),
              HasSubstr("href=\"/m&quot;&gt;&lt;script&gt;\""));
  EXPECT_EQ(EscapeHtml("a&b'c"), "a&amp;b&#39;c");
}

}  // namespace
}  // namespace halfopen
