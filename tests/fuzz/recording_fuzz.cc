// A recording file (halfopen_exporter --replay, halfopen_diag_dump): its
// framing read by the replayer, each datagram it yields parsed as the
// exporter would.
#include <cstdint>
#include <cstdio>

#include "kernel/diag_recording.h"
#include "sources/socket_walk.h"

namespace {

class CountingVisitor : public halfopen::SocketVisitor {
 public:
  void OnSocket(const halfopen::SocketRecord&) override { ++sockets; }
  std::uint64_t sockets = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace halfopen;
  if (size == 0) return 0;  // fmemopen refuses an empty buffer.
  std::FILE* file = fmemopen(const_cast<std::uint8_t*>(data), size, "rb");
  if (file == nullptr) return 0;
  CountingVisitor visitor;
  ParseCounts counts;
  std::string error;
  recording::Replay(file, "fuzz.diag",
                    ParsingHandler(&visitor, &counts, &error));
  std::fclose(file);
  if (visitor.sockets != counts.sockets) __builtin_trap();
  return 0;
}
