#include "web/gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "web/scrape_budget.h"

namespace halfopen {
namespace {

TEST(AcceptsGzip, FollowsTheAcceptEncodingList) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("br, *"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("*, gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
}

TEST(Gzip, OutputDecompressesToTheInput) {
  const std::string text(100000, 'x');
  std::string gzipped;
  ASSERT_TRUE(Gzip(text, &gzipped).ok());
  EXPECT_LT(gzipped.size(), 1000u);
  z_stream stream{};
  ASSERT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out(text.size() + 10, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(gzipped.data());
  stream.avail_in = static_cast<uInt>(gzipped.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  EXPECT_EQ(out, text);
}

TEST(ScrapeBudget, LeavesHalfASecondOrTenPercentForTheAnswer) {
  EXPECT_DOUBLE_EQ(ScrapeBudgetSeconds("10", 30), 9.5);
  EXPECT_DOUBLE_EQ(ScrapeBudgetSeconds("1", 30), 0.9);
  EXPECT_DOUBLE_EQ(ScrapeBudgetSeconds(nullptr, 10), 9.5);
}

TEST(ScrapeBudget, IgnoresBadHeadersAndCapsLongOnes) {
  EXPECT_DOUBLE_EQ(ScrapeBudgetSeconds("soon", 10), 9.5);
  EXPECT_DOUBLE_EQ(ScrapeBudgetSeconds("-3", 10), 9.5);
  EXPECT_DOUBLE_EQ(ScrapeBudgetSeconds("5s", 10), 9.5);
  EXPECT_DOUBLE_EQ(ScrapeBudgetSeconds("100000", 10), 299.5);
}

}  // namespace
}  // namespace halfopen
