#include "engine/log.h"

#include <charconv>

#include "spdlog/spdlog.h"

namespace halfopen {
namespace {

// Separators inside spdlog's payload: before each field, and between its
// key and value. They are control characters that no field carries (any
// that a value had become spaces).
constexpr char kFieldStart = '\x1f';
constexpr char kValueStart = '\x1e';
constexpr char kString = 's';
constexpr char kBare = 'b';

void AppendClean(std::string_view text, std::string* out) {
  for (const char c : text) {
    *out += (c == kFieldStart || c == kValueStart) ? ' ' : c;
  }
}

}  // namespace

LogField::LogField(std::string_view key, double value)
    : key(key), is_string(false) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  this->value.assign(buffer, result.ptr);
}

void Log(spdlog::level::level_enum level, std::string_view msg,
         std::initializer_list<LogField> fields) {
  auto logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) return;
  std::string payload;
  AppendClean(msg, &payload);
  for (const LogField& field : fields) {
    payload += kFieldStart;
    payload += field.is_string ? kString : kBare;
    AppendClean(field.key, &payload);
    payload += kValueStart;
    AppendClean(field.value, &payload);
  }
  logger->log(level, spdlog::string_view_t(payload.data(), payload.size()));
}

LogEvent DecodeLogEvent(std::string_view payload) {
  LogEvent event;
  std::size_t end = payload.find(kFieldStart);
  event.msg = std::string(payload.substr(0, end));
  while (end != std::string_view::npos) {
    const std::size_t start = end + 1;
    end = payload.find(kFieldStart, start);
    const std::string_view field = payload.substr(start, end - start);
    const std::size_t split = field.find(kValueStart);
    if (field.empty() || split == std::string_view::npos) continue;
    LogField decoded(field.substr(1, split - 1), field.substr(split + 1));
    decoded.is_string = field[0] == kString;
    event.fields.push_back(std::move(decoded));
  }
  return event;
}

}  // namespace halfopen
