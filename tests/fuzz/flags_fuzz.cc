// A command line: every flag the binary declares (the core ones and each
// collector's), parsed and checked as at start-up. The input's NUL bytes
// separate the arguments.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/collector.h"
#include "exporter/options.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace halfopen;
  std::vector<std::string> args = {"halfopen_exporter"};
  std::string current;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current.push_back(static_cast<char>(data[i]));
    }
  }
  if (!current.empty()) args.push_back(current);
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  Options options;
  const Status status = ParseOptions(static_cast<int>(argv.size()), argv.data(),
                                     CollectorCatalog::Global(), &options);
  // An error is one line; success gives a port a socket can take.
  if (!status.ok() && status.message().find('\n') != std::string::npos) {
    __builtin_trap();
  }
  if (status.ok() && (options.listen_port < 0 || options.listen_port > 65535)) {
    __builtin_trap();
  }
  return 0;
}
