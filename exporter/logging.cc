#include "exporter/logging.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string_view>

#include "base/quoted.h"
#include "engine/log.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace halfopen {
namespace {

std::string Timestamp(spdlog::log_clock::time_point time) {
  const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(time);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(time - seconds);
  const std::time_t t = spdlog::log_clock::to_time_t(seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                utc.tm_min, utc.tm_sec, static_cast<int>(millis.count()));
  return buffer;
}

std::string LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    default:
      return "error";
  }
}

// logfmt quotes a value only when it must: empty, or holding a space, an
// equals sign, a quote or a control character.
bool NeedsQuotes(std::string_view value) {
  if (value.empty()) return true;
  for (const char c : value) {
    if (c == ' ' || c == '=' || c == '"' ||
        static_cast<unsigned char>(c) < 0x20) {
      return true;
    }
  }
  return false;
}

// Appends `value`, quoted and escaped when `quoted`. (Appending piece by
// piece also keeps GCC 12's -Wrestrict false positive on
// `"literal" + std::string&&` away.)
void AppendValue(std::string& line, const std::string& value, bool quoted) {
  if (!quoted) {
    line += value;
    return;
  }
  line += '"';
  line += EscapeQuoted(value);
  line += '"';
}

std::string Logfmt(const std::string& ts, const std::string& level,
                   const LogEvent& event) {
  std::string line = "ts=" + ts + " level=" + level + " msg=\"" +
                     EscapeQuoted(event.msg) + "\"";
  for (const LogField& field : event.fields) {
    line += " " + field.key + "=";
    AppendValue(line, field.value, NeedsQuotes(field.value));
  }
  return line + "\n";
}

std::string Json(const std::string& ts, const std::string& level,
                 const LogEvent& event) {
  std::string line = "{\"ts\":\"" + ts + "\",\"level\":\"" + level +
                     "\",\"msg\":\"" + EscapeQuoted(event.msg) + "\"";
  for (const LogField& field : event.fields) {
    line += ",\"" + EscapeQuoted(field.key) + "\":";
    AppendValue(line, field.value, field.is_string);
  }
  return line + "}\n";
}

// Renders each event as one line with one key per field (see engine/log.h).
class LineFormatter : public spdlog::formatter {
 public:
  explicit LineFormatter(bool json) : json_(json) {}

  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    const LogEvent event = DecodeLogEvent(
        std::string_view(msg.payload.data(), msg.payload.size()));
    const std::string ts = Timestamp(msg.time);
    const std::string level = LevelName(msg.level);
    const std::string line =
        json_ ? Json(ts, level, event) : Logfmt(ts, level, event);
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(json_);
  }

 private:
  const bool json_;
};

}  // namespace

std::unique_ptr<spdlog::formatter> MakeLogFormatter(const std::string& format) {
  return std::make_unique<LineFormatter>(format == "json");
}

void ConfigureLogging(const std::string& level, const std::string& format) {
  auto logger = spdlog::stderr_logger_mt("halfopen");
  logger->set_formatter(MakeLogFormatter(format));
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::debug);
  spdlog::set_default_logger(logger);
}

}  // namespace halfopen
