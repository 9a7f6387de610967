#include "exporter/logging.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

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

TEST(Logging, EscapeQuotedWritesControlCharactersAsUnicodeEscapes) {
  EXPECT_EQ(EscapeQuoted(std::string("a\x01z\tq")), "a\\u0001z\\tq");
}

}  // namespace
}  // namespace halfopen
