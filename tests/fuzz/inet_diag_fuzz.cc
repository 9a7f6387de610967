// Untrusted kernel bytes through everything that reads them: one datagram of
// an inet_diag dump reply, walked twice by the real SocketWalker (each walk
// is a listeners' dump and a connections' dump of the same bytes: parser,
// state and timer counts, listener table, local pairs, suspicion and the
// memory it keeps from walk to walk).
#include <cstdint>
#include <cstring>
#include <span>

#include "decode/netlink_layout.h"
#include "sources/netns_io.h"
#include "sources/socket_walk.h"
#include "sources/sysctls.h"

namespace halfopen {
namespace {

// Hands the fuzzer's bytes to the walk as the reply's one datagram, then a
// clean NLMSG_DONE in case the bytes did not end the dump themselves. The
// request id is taken from the first message, so that recorded replies used
// as seeds count as answers to this request.
class FuzzDiagSource : public DiagSource {
 public:
  explicit FuzzDiagSource(std::span<const std::uint8_t>* bytes)
      : bytes_(*bytes) {}

  Status Dump(DumpScope, const DatagramHandler& handler) override {
    DiagRequestId id;
    wire::NetlinkHeader first{};
    if (bytes_.size() >= sizeof first) {
      std::memcpy(&first, bytes_.data(), sizeof first);
      id = {first.sequence, first.port_id};
    }
    const auto verdict = handler(bytes_, id);
    if (verdict == DatagramVerdict::kFail) return Status::Error("failed");
    if (verdict == DatagramVerdict::kDone) return Status::Ok();
    std::uint8_t done[sizeof(wire::NetlinkHeader) + 4] = {};
    wire::NetlinkHeader header{};
    header.length = sizeof done;
    header.type = wire::kNetlinkDone;
    header.sequence = id.sequence;
    header.port_id = id.port_id;
    std::memcpy(done, &header, sizeof header);
    return handler(done, id) == DatagramVerdict::kDone
               ? Status::Ok()
               : Status::Error("no end");
  }

 private:
  std::span<const std::uint8_t>& bytes_;
};

}  // namespace
}  // namespace halfopen

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace halfopen;
  // No sysctl files: the model then scores with the kernel's defaults, and
  // each walk costs a few failed access() calls instead of 39 reads (the
  // text of those files is sysctl_fuzz's part).
  static NetnsIo io("/nonexistent/proc");
  static SysctlCache sysctls(&io);
  static DropLedger drops;
  static std::uint64_t scrape = 0;
  std::span<const std::uint8_t> bytes(data, size);
  SuspicionConfig config;
  config.keep_addresses = size % 2 == 0;
  SocketWalker walker([&] { return std::make_unique<FuzzDiagSource>(&bytes); },
                      &io, &sysctls, &drops, config);
  for (int walk = 0; walk < 2; ++walk) {
    const auto result = walker.ForScrape(++scrape);
    // Whatever the bytes, every socket handed on is counted once, by the
    // dump that takes its state, and the top list stays bounded. Both dumps
    // parse the same bytes; the second runs only when the first succeeded.
    const std::uint64_t parsed = result->counts.sockets;
    if (result->status.ok() ? result->stats.scanned * 2 != parsed
                            : result->stats.scanned > parsed) {
      __builtin_trap();
    }
    if (result->suspicion.top.size() > config.top_k) __builtin_trap();
  }
  return 0;
}
