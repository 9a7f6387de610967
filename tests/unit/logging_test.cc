#include "exporter/logging.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "base/quoted.h"
#include "engine/log.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"

namespace halfopen {
namespace {

using ::testing::MatchesRegex;

std::string LogOneLine(const std::string& format, const std::string& text) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
  spdlog::logger logger("t", sink);
  logger.set_formatter(MakeLogFormatter(format));
  logger.warn(text);
  return out.str();
}

TEST(Logging, LogfmtLineHasTimestampLevelAndQuotedMessage) {
  EXPECT_THAT(LogOneLine("logfmt", "file \"x\" bad"),
              MatchesRegex("ts=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z "
                           "level=warn msg=\"file \\\\\"x\\\\\" bad\"\n"));
}

TEST(Logging, JsonLineIsOneEscapedObject) {
  EXPECT_THAT(LogOneLine("json", "a\nb\\c"),
              MatchesRegex("\\{\"ts\":\"[0-9T:.Z-]{24}\",\"level\":\"warn\","
                           "\"msg\":\"a\\\\nb\\\\\\\\c\"\\}\n"));
}

// One event with fields, logged through Log() in `format`.
std::string LoggedEvent(const std::string& format) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("t", sink);
  logger->set_formatter(MakeLogFormatter(format));
  spdlog::set_default_logger(logger);
  Log(spdlog::level::info, "collector failed",
      {{"collector", "netstat"},
       {"error", "cannot read /proc/x: No such file"},
       {"port", 9742},
       {"seconds", 0.25},
       {"tls", true},
       {"empty", ""}});
  spdlog::set_default_logger(previous);
  return out.str();
}

TEST(Logging, LogfmtHasOneKeyPerFieldQuotingOnlyWhereNeeded) {
  EXPECT_THAT(LoggedEvent("logfmt"),
              MatchesRegex("ts=[0-9T:.Z-]{24} level=info "
                           "msg=\"collector failed\" collector=netstat "
                           "error=\"cannot read /proc/x: No such file\" "
                           "port=9742 seconds=0.25 tls=true empty=\"\"\n"));
}

TEST(Logging, JsonHasOneMemberPerFieldWithNumbersUnquoted) {
  EXPECT_THAT(LoggedEvent("json"),
              MatchesRegex("\\{\"ts\":\"[0-9T:.Z-]{24}\",\"level\":\"info\","
                           "\"msg\":\"collector failed\","
                           "\"collector\":\"netstat\","
                           "\"error\":\"cannot read /proc/x: No such file\","
                           "\"port\":9742,\"seconds\":0.25,\"tls\":true,"
                           "\"empty\":\"\"\\}\n"));
}

TEST(Logging, SeparatorCharactersInValuesCannotForgeFields) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("t", sink);
  logger->set_formatter(MakeLogFormatter("logfmt"));
  spdlog::set_default_logger(logger);
  Log(spdlog::level::warn, "m", {{"error", "a\x1fsforged\x1eyes"}});
  spdlog::set_default_logger(previous);
  EXPECT_THAT(out.str(), ::testing::HasSubstr("error=\"a sforged yes\"\n"));
}

TEST(Logging, EscapeQuotedWritesControlCharactersAsUnicodeEscapes) {
  EXPECT_EQ(EscapeQuoted(std::string("a\x01z\tq")), "a\\u0001z\\tq");
}

}  // namespace
}  // namespace halfopen
