#include "engine/flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace halfopen {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The values the test flags are bound to.
struct Values {
  std::string telemetry_path = "/metrics";
  bool netstat = true;
  bool slow = false;
  double threshold = 0.5;
  int top_k = 10;
  bool help = false;
};

void Declare(FlagSet* flags, Values* values) {
  flags->String("web.telemetry-path", "Path for metrics.",
                &values->telemetry_path);
  flags->Bool("collector.netstat", "Netstat.", &values->netstat);
  flags->Bool("collector.slow", "Slow.", &values->slow);
  flags->Number("suspects.threshold", "Threshold.", &values->threshold, 0, 1);
  flags->WholeNumber("suspects.top-k", "Top K.", &values->top_k, 0, 1000);
  flags->Action("help", "Help.", &values->help);
  flags->Short('h', "help");
}

FlagSet TestFlags(Values* values) {
  FlagSet flags;
  Declare(&flags, values);
  return flags;
}

Status Parse(std::vector<const char*> args, Values* values,
             FlagSet* parsed = nullptr) {
  args.insert(args.begin(), "halfopen_exporter");
  FlagSet local;
  FlagSet* flags = parsed != nullptr ? parsed : &local;
  Declare(flags, values);
  return flags->Parse(static_cast<int>(args.size()), args.data());
}

TEST(FlagSet, FillsDefaultsWhenNothingIsGiven) {
  Values parsed;
  FlagSet flags;
  ASSERT_TRUE(Parse({}, &parsed, &flags).ok());
  EXPECT_EQ(parsed.telemetry_path, "/metrics");
  EXPECT_TRUE(parsed.netstat);
  EXPECT_FALSE(parsed.slow);
  EXPECT_FALSE(flags.Given("collector.netstat"));
}

TEST(FlagSet, AcceptsValueAfterEqualsSignOrAsNextArgument) {
  Values parsed;
  ASSERT_TRUE(Parse({"--web.telemetry-path=/a"}, &parsed).ok());
  EXPECT_EQ(parsed.telemetry_path, "/a");
  Values separate;
  ASSERT_TRUE(Parse({"--web.telemetry-path", "/b"}, &separate).ok());
  EXPECT_EQ(separate.telemetry_path, "/b");
}

TEST(FlagSet, TurnsBooleansOnAndOffWithAndWithoutNoPrefix) {
  Values parsed;
  ASSERT_TRUE(
      Parse({"--no-collector.netstat", "--collector.slow"}, &parsed).ok());
  EXPECT_FALSE(parsed.netstat);
  EXPECT_TRUE(parsed.slow);
  Values explicit_value;
  ASSERT_TRUE(Parse({"--collector.netstat=false"}, &explicit_value).ok());
  EXPECT_FALSE(explicit_value.netstat);
}

TEST(FlagSet, LaterFlagWins) {
  Values parsed;
  ASSERT_TRUE(Parse({"--collector.slow", "--no-collector.slow"}, &parsed).ok());
  EXPECT_FALSE(parsed.slow);
}

TEST(FlagSet, RejectsUnknownFlagNamingIt) {
  Values parsed;
  EXPECT_EQ(Parse({"--bogus"}, &parsed).message(), "unknown flag --bogus");
  EXPECT_EQ(Parse({"--bogus=1"}, &parsed).message(), "unknown flag --bogus");
}

TEST(FlagSet, RejectsNoPrefixOnNonBooleanFlag) {
  Values parsed;
  EXPECT_EQ(Parse({"--no-web.telemetry-path"}, &parsed).message(),
            "unknown flag --no-web.telemetry-path");
}

TEST(FlagSet, RejectsMissingValue) {
  Values parsed;
  EXPECT_EQ(Parse({"--web.telemetry-path"}, &parsed).message(),
            "flag --web.telemetry-path needs a value");
}

TEST(FlagSet, RejectsBadBooleanValue) {
  Values parsed;
  EXPECT_EQ(Parse({"--collector.slow=yes"}, &parsed).message(),
            "invalid value \"yes\" for flag --collector.slow: want true or "
            "false");
}

TEST(FlagSet, RejectsPositionalArguments) {
  Values parsed;
  EXPECT_EQ(Parse({"metrics"}, &parsed).message(),
            "unexpected argument \"metrics\": flags start with --");
  EXPECT_EQ(Parse({"--"}, &parsed).message(),
            "unexpected argument \"--\": flags start with --");
}

// Found by tests/fuzz/flags_fuzz: a value with a line break (here also
// repeated by the check's own words) made a message of two lines, which
// breaks the one-line log and exit message.
TEST(FlagSet, ControlCharactersInAnArgumentKeepTheMessageOnOneLine) {
  FlagSet flags;
  std::string ports;
  flags.Checked("ports", "Ports.", &ports, [](const std::string& value) {
    return "cannot read \"" + value + "\"";
  });
  const char* argv[] = {"halfopen_exporter", "--ports", "~\t\n\ten"};
  EXPECT_EQ(flags.Parse(3, argv).message(),
            "invalid value \"~\\t\\n\\ten\" for flag --ports: cannot read "
            "\"~\\t\\n\\ten\"");
  Values parsed;
  EXPECT_EQ(Parse({"\n"}, &parsed).message(),
            "unexpected argument \"\\n\": flags start with --");
  EXPECT_EQ(Parse({"--bo\x01gus"}, &parsed).message(),
            "unknown flag --bo\\x01gus");
}

TEST(FlagSet, HelpListsEveryFlagWithItsDefault) {
  Values values;
  const std::string help = TestFlags(&values).Help("prog");
  EXPECT_THAT(help, HasSubstr("usage: prog [flags]"));
  EXPECT_THAT(help, HasSubstr("--web.telemetry-path=VALUE\n      Path for "
                              "metrics.\n      (default: /metrics)"));
  EXPECT_THAT(help, HasSubstr("--[no-]collector.slow\n      Slow.\n      "
                              "(default: false)"));
}

TEST(FlagSet, ActionIsSetByItsNameOrItsShortLetter) {
  Values long_form;
  ASSERT_TRUE(Parse({"--help"}, &long_form).ok());
  EXPECT_TRUE(long_form.help);
  Values short_form;
  ASSERT_TRUE(Parse({"-h"}, &short_form).ok());
  EXPECT_TRUE(short_form.help);
}

TEST(FlagSet, ActionHasNoNegatedFormAndTakesNoValue) {
  Values parsed;
  EXPECT_EQ(Parse({"--no-help"}, &parsed).message(), "unknown flag --no-help");
  EXPECT_EQ(Parse({"--help=false"}, &parsed).message(),
            "flag --help takes no value");
  EXPECT_FALSE(parsed.help);
}

TEST(FlagSet, UnknownShortLetterIsRejected) {
  Values parsed;
  EXPECT_EQ(Parse({"-x"}, &parsed).message(),
            "unexpected argument \"-x\": flags start with --");
}

TEST(FlagSet, HelpShowsShortLetterAndNoDefaultForActions) {
  Values values;
  const std::string help = TestFlags(&values).Help("prog");
  EXPECT_THAT(help, HasSubstr("  -h, --help\n      Help.\n"));
  EXPECT_THAT(help, Not(HasSubstr("--[no-]help")));
  EXPECT_THAT(help, Not(HasSubstr("Help.\n      (default:")));
}

TEST(FlagSet, NumbersAreCheckedAgainstTheirRange) {
  Values parsed;
  ASSERT_TRUE(
      Parse({"--suspects.threshold=0.25", "--suspects.top-k=3"}, &parsed).ok());
  EXPECT_EQ(parsed.threshold, 0.25);
  EXPECT_EQ(parsed.top_k, 3);
  EXPECT_EQ(Parse({"--suspects.threshold=abc"}, &parsed).message(),
            "invalid value \"abc\" for flag --suspects.threshold: want a "
            "number from 0 to 1");
  EXPECT_EQ(Parse({"--suspects.threshold=1.5"}, &parsed).message(),
            "invalid value \"1.5\" for flag --suspects.threshold: want a "
            "number from 0 to 1");
  EXPECT_EQ(Parse({"--suspects.top-k=2.5"}, &parsed).message(),
            "invalid value \"2.5\" for flag --suspects.top-k: want a whole "
            "number from 0 to 1000");
}

TEST(FlagSet, NumberOrZeroTakesZeroOrARange) {
  FlagSet flags;
  double interval = 0.1;
  flags.NumberOrZero("interval", "Seconds; 0 turns it off.", &interval, 0.01,
                     60);
  const char* off[] = {"prog", "--interval=0"};
  ASSERT_TRUE(flags.Parse(2, off).ok());
  EXPECT_EQ(interval, 0);
  const char* some[] = {"prog", "--interval=0.5"};
  ASSERT_TRUE(flags.Parse(2, some).ok());
  EXPECT_EQ(interval, 0.5);
  for (const char* bad : {"--interval=0.001", "--interval=61", "--interval=-1",
                          "--interval=soon"}) {
    const char* argv[] = {"prog", bad};
    const Status status = flags.Parse(2, argv);
    EXPECT_THAT(status.message(),
                ::testing::EndsWith("want 0 (off) or a number from 0.01 to 60"))
        << bad;
  }
  EXPECT_EQ(interval, 0.5);
}

}  // namespace
}  // namespace halfopen
