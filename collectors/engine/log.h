#pragma once

#include <concepts>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "spdlog/common.h"

namespace halfopen {

/// One `key=value` of a log event. Numbers and booleans stay unquoted in
/// JSON; everything else is a string.
struct LogField {
  LogField(std::string_view key, std::string_view value)
      : key(key), value(value) {}
  LogField(std::string_view key, const char* value)
      : LogField(key, std::string_view(value)) {}
  LogField(std::string_view key, const std::string& value)
      : LogField(key, std::string_view(value)) {}
  LogField(std::string_view key, bool value)
      : key(key), value(value ? "true" : "false"), is_string(false) {}
  template <std::integral Int>
  LogField(std::string_view key, Int value)
      : key(key), value(std::to_string(value)), is_string(false) {}
  LogField(std::string_view key, double value);

  std::string key;
  std::string value;
  bool is_string = true;
};

/// Logs one event through spdlog's default logger: `msg` is a short constant
/// phrase ("listening", "collector failed") and every detail is a field of
/// its own, so that logfmt and JSON parsers see one key per field. The
/// exporter's formatter renders what this encodes (see DecodeLogEvent).
void Log(spdlog::level::level_enum level, std::string_view msg,
         std::initializer_list<LogField> fields = {});

/// A log event taken apart again.
struct LogEvent {
  std::string msg;
  std::vector<LogField> fields;
};

/// Splits a payload written by Log() into its message and fields. Any other
/// payload (a library's own message) is all message.
LogEvent DecodeLogEvent(std::string_view payload);

}  // namespace halfopen
