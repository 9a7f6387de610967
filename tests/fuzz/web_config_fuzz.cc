// The --web.config.file text: YAML as exporter-toolkit writes it, read by
// yaml-cpp and checked key by key. Whatever the text, the parser returns a
// status (no exception escapes it) that names the file.
#include <cstdint>
#include <string>

#include "web/web_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace halfopen;
  const std::string text(reinterpret_cast<const char*>(data), size);
  WebConfig config;
  const Status status = ParseWebConfig(text, "/etc/halfopen/web.yml", &config);
  if (!status.ok() && status.message().rfind("/etc/halfopen/web.yml", 0) != 0) {
    __builtin_trap();
  }
  return 0;
}
