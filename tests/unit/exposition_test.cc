#include "tests/support/exposition.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace halfopen::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(DuplicateSeries, FindsTheSameLabelsInAnyOrder) {
  const std::string exposition =
      "# HELP q Queue.\n# TYPE q gauge\n"
      "q{family=\"ipv4\",address=\"0.0.0.0\",port=\"80\"} 2\n"
      "q{port=\"80\",family=\"ipv4\",address=\"0.0.0.0\"} 1\n"
      "q{family=\"ipv4\",address=\"0.0.0.0\",port=\"81\"} 1\n"
      "up 1\nup 1\n";
  EXPECT_THAT(
      DuplicateSeries(exposition),
      ElementsAre("q{address=\"0.0.0.0\",family=\"ipv4\",port=\"80\",}", "up"));
}

TEST(DuplicateSeries, EmptyLabelIsTheSameAsNoLabel) {
  EXPECT_THAT(DuplicateSeries("m{a=\"1\",b=\"\"} 1\nm{a=\"1\"} 2\n"),
              ElementsAre("m{a=\"1\",}"));
}

TEST(DuplicateSeries, EscapedQuotesAndDistinctSeriesAreFine) {
  EXPECT_THAT(DuplicateSeries("m{a=\"x\\\"y\"} 1\nm{a=\"x\"} 1\n"
                              "m{a=\"x\",b=\"1\"} 1\nn 1\n"),
              IsEmpty());
}

TEST(DuplicateSeries, ReportsLinesItCannotRead) {
  EXPECT_THAT(DuplicateSeries("m{a=\"1\" 1\n"),
              ElementsAre("unparsable: m{a=\"1\" 1"));
}

}  // namespace
}  // namespace halfopen::testing
