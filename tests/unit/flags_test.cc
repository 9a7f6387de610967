#include "exporter/flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace halfopen {
namespace {

using ::testing::HasSubstr;

FlagSet TestFlags() {
  FlagSet flags;
  flags.Add({"web.telemetry-path", "Path for metrics.", "/metrics", false});
  flags.Add({"collector.netstat", "Netstat.", "true", true});
  flags.Add({"collector.slow", "Slow.", "false", true});
  return flags;
}

Status Parse(std::vector<const char*> args, ParsedFlags* parsed) {
  args.insert(args.begin(), "halfopen_exporter");
  return TestFlags().Parse(static_cast<int>(args.size()), args.data(), parsed);
}

TEST(FlagSet, FillsDefaultsWhenNothingIsGiven) {
  ParsedFlags parsed;
  ASSERT_TRUE(Parse({}, &parsed).ok());
  EXPECT_EQ(parsed.Get("web.telemetry-path"), "/metrics");
  EXPECT_TRUE(parsed.Bool("collector.netstat"));
  EXPECT_FALSE(parsed.Bool("collector.slow"));
  EXPECT_TRUE(parsed.given.empty());
}

TEST(FlagSet, AcceptsValueAfterEqualsSignOrAsNextArgument) {
  ParsedFlags parsed;
  ASSERT_TRUE(Parse({"--web.telemetry-path=/a"}, &parsed).ok());
  EXPECT_EQ(parsed.Get("web.telemetry-path"), "/a");
  ParsedFlags separate;
  ASSERT_TRUE(Parse({"--web.telemetry-path", "/b"}, &separate).ok());
  EXPECT_EQ(separate.Get("web.telemetry-path"), "/b");
}

TEST(FlagSet, TurnsBooleansOnAndOffWithAndWithoutNoPrefix) {
  ParsedFlags parsed;
  ASSERT_TRUE(
      Parse({"--no-collector.netstat", "--collector.slow"}, &parsed).ok());
  EXPECT_FALSE(parsed.Bool("collector.netstat"));
  EXPECT_TRUE(parsed.Bool("collector.slow"));
  ParsedFlags explicit_value;
  ASSERT_TRUE(Parse({"--collector.netstat=false"}, &explicit_value).ok());
  EXPECT_FALSE(explicit_value.Bool("collector.netstat"));
}

TEST(FlagSet, LaterFlagWins) {
  ParsedFlags parsed;
  ASSERT_TRUE(Parse({"--collector.slow", "--no-collector.slow"}, &parsed).ok());
  EXPECT_FALSE(parsed.Bool("collector.slow"));
}

TEST(FlagSet, RejectsUnknownFlagNamingIt) {
  ParsedFlags parsed;
  EXPECT_EQ(Parse({"--bogus"}, &parsed).message(), "unknown flag --bogus");
  EXPECT_EQ(Parse({"--bogus=1"}, &parsed).message(), "unknown flag --bogus");
}

TEST(FlagSet, RejectsNoPrefixOnNonBooleanFlag) {
  ParsedFlags parsed;
  EXPECT_EQ(Parse({"--no-web.telemetry-path"}, &parsed).message(),
            "unknown flag --no-web.telemetry-path");
}

TEST(FlagSet, RejectsMissingValue) {
  ParsedFlags parsed;
  EXPECT_EQ(Parse({"--web.telemetry-path"}, &parsed).message(),
            "flag --web.telemetry-path needs a value");
}

TEST(FlagSet, RejectsBadBooleanValue) {
  ParsedFlags parsed;
  EXPECT_EQ(Parse({"--collector.slow=yes"}, &parsed).message(),
            "invalid value \"yes\" for flag --collector.slow: want true or "
            "false");
}

TEST(FlagSet, RejectsPositionalArguments) {
  ParsedFlags parsed;
  EXPECT_EQ(Parse({"metrics"}, &parsed).message(),
            "unexpected argument \"metrics\": flags start with --");
  EXPECT_EQ(Parse({"--"}, &parsed).message(),
            "unexpected argument \"--\": flags start with --");
}

TEST(FlagSet, HelpListsEveryFlagWithItsDefault) {
  const std::string help = TestFlags().Help("prog");
  EXPECT_THAT(help, HasSubstr("usage: prog [flags]"));
  EXPECT_THAT(help, HasSubstr("--web.telemetry-path=VALUE\n      Path for "
                              "metrics.\n      (default: /metrics)"));
  EXPECT_THAT(help, HasSubstr("--[no-]collector.slow\n      Slow.\n      "
                              "(default: false)"));
}

}  // namespace
}  // namespace halfopen
