#include "engine/regex_limits.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "engine/flags.h"

namespace halfopen {
namespace {

TEST(RegexLimitProblem, AcceptsThePatternsFiltersUse) {
  for (const char* pattern :
       {"^$", "^(127\\.0\\.0\\.1|::1)$", "^10\\.(1|2)\\.", "[0-9]{1,3}",
        "^Tcp(Ext)?:(Listen|Syn).*", "(a|b)\\1", "x{2,}", "[{}]+", "a{1000}",
        "(?:ab){3}"}) {
    EXPECT_EQ(RegexLimitProblem(pattern), "") << pattern;
    EXPECT_NO_THROW(std::regex{pattern}) << pattern;
  }
}

// Found by tests/fuzz/flags_fuzz: libstdc++ (GCC 12) computes a count with a
// signed multiplication that overflows, undefined behaviour that UBSan
// reports, before it could say the count is too large.
TEST(RegexLimitProblem, RefusesCountsLibstdcxxCannotRead) {
  EXPECT_EQ(RegexLimitProblem("a{8888888888888888888}"),
            "a repetition count is over 1000");
  EXPECT_EQ(RegexLimitProblem("a{1,8888888888888888888}"),
            "a repetition count is over 1000");
  EXPECT_EQ(RegexLimitProblem("a{1001}"), "a repetition count is over 1000");
  EXPECT_EQ(RegexLimitProblem("(a)\\8888888888888888888"),
            "a back-reference is over 1000");
}

// Found by tests/fuzz/flags_fuzz in its long run: the checker read "[]" as
// POSIX does (']' a member, the class still open), so the back-reference
// after it went unseen, while libstdc++'s ECMAScript grammar closes the
// class there and then overflows reading the reference.
TEST(RegexLimitProblem, AClassClosedAtOnceHidesNothingAfterIt) {
  EXPECT_EQ(RegexLimitProblem("t--[]\\8888888888888888888"),
            "a back-reference is over 1000");
  EXPECT_EQ(RegexLimitProblem("[^]\\8888888888888888888"),
            "a back-reference is over 1000");
  EXPECT_EQ(RegexLimitProblem("[]a{1001}"), "a repetition count is over 1000");
  // Classes holding ']' escaped still end at the right place.
  EXPECT_EQ(RegexLimitProblem("[\\]x]{2}"), "");
  EXPECT_NO_THROW(std::regex{"[\\]x]{2}"});
}

TEST(RegexLimitProblem, RefusesAutomataTooLargeToHold) {
  EXPECT_EQ(RegexLimitProblem("((a{100}){100}){100}"),
            "too complex: nested repetitions make over 10000 states");
  EXPECT_EQ(
      RegexLimitProblem(std::string(40, '(') + "a" + std::string(40, ')')),
      "want groups nested at most 32 deep");
  EXPECT_EQ(RegexLimitProblem(std::string(1025, 'a')),
            "want at most 1024 characters");
}

TEST(RegexLimitProblem, LeavesSyntaxErrorsToStdRegex) {
  EXPECT_EQ(RegexLimitProblem("(a"), "");
  EXPECT_EQ(RegexLimitProblem("a{"), "");
  EXPECT_EQ(RegexLimitProblem("[a"), "");
}

TEST(FlagSet, RegexFlagRefusesAPatternOverTheLimits) {
  FlagSet flags;
  std::regex value;
  flags.Regex("filter", "Filter.", "^$", &value);
  const char* argv[] = {"halfopen_exporter", "--filter=a{8888888888888888888}"};
  EXPECT_EQ(
      flags.Parse(2, argv).message(),
      "invalid value \"a{8888888888888888888}\" for flag --filter: want a "
      "regular expression (a repetition count is over 1000)");
}

}  // namespace
}  // namespace halfopen
