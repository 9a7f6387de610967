#include "decode/netlink_messages.h"

#include <limits>

namespace halfopen {
namespace {

// The error number of an NLMSG_ERROR or NLMSG_DONE payload (0 when absent).
// The kernel sends -errno; -2^31, which no int can negate, stands for the
// largest error number rather than overflow.
int PayloadErrorNumber(std::span<const std::uint8_t> payload) {
  std::int32_t status = 0;
  if (payload.size() >= sizeof status) {
    std::memcpy(&status, payload.data(), sizeof status);
  }
  if (status == std::numeric_limits<std::int32_t>::min()) {
    return std::numeric_limits<int>::max();
  }
  return -status;
}

}  // namespace

DatagramEnd WalkDiagDatagram(std::span<const std::uint8_t> datagram,
                             std::uint32_t sequence, std::uint32_t port_id,
                             DiagMessageDecoder& decoder, ParseCounts* counts,
                             DumpError* error) {
  std::size_t offset = 0;
  while (offset + sizeof(wire::NetlinkHeader) <= datagram.size()) {
    wire::NetlinkHeader header;
    std::memcpy(&header, datagram.data() + offset, sizeof header);
    if (header.length < sizeof header ||
        header.length > datagram.size() - offset) {
      ++counts->malformed;  // Cannot find the next message: drop the rest.
      ++counts->cut_short;
      return DatagramEnd::kMore;
    }
    const auto payload =
        datagram.subspan(offset + sizeof header, header.length - sizeof header);
    offset += Align4(header.length);
    if (header.sequence != sequence || header.port_id != port_id) {
      ++counts->foreign;
      continue;
    }
    if (header.type == wire::kNetlinkDone ||
        header.type == wire::kNetlinkError) {
      const int error_number = PayloadErrorNumber(payload);
      const bool done = header.type == wire::kNetlinkDone;
      if (error_number == 0) {
        if (done) return DatagramEnd::kDone;
        continue;  // An acknowledgement.
      }
      *error = {done, error_number};
      return DatagramEnd::kError;
    }
    if (header.type != wire::kSockDiagByFamily &&
        header.type != wire::kTcpDiagGetSock) {
      continue;
    }
    if (!decoder.Decode(payload)) {
      ++counts->malformed;
      continue;
    }
    ++counts->sockets;
  }
  if (offset < datagram.size()) {  // Less than a header left.
    ++counts->malformed;
    ++counts->cut_short;
  }
  return DatagramEnd::kMore;
}

}  // namespace halfopen
