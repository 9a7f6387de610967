// /proc/net/netstat and /proc/net/snmp text from a bind-mounted fixture or an
// odd kernel: the counter parser, the lookups the netstat collector makes,
// and the sockstat line read from the same kind of file.
#include <cstdint>
#include <string_view>

#include "decode/counter_parser.h"
#include "decode/proc_text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace halfopen;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CounterTable table;
  const Status status = ParseCounterFile("net/netstat", text, &table);
  // An error names the file; success leaves no prefix without a counter
  // line behind it.
  if (!status.ok() && status.message().rfind("net/netstat", 0) != 0) {
    __builtin_trap();
  }
  for (const auto& [prefix, counters] : table) {
    for (const auto& [name, value] : counters) {
      if (FindCounter(table, prefix, name) == nullptr) __builtin_trap();
    }
  }
  FindCounter(table, "TcpExt", "ListenOverflows");
  TcpSockstat tcp;
  ParseTcpSockstat(text, &tcp);
  std::uint64_t inode = 0;
  ParseInodeLink(text, "net", &inode);
  return 0;
}
