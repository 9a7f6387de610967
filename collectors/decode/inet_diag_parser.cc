#include "decode/inet_diag_parser.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <optional>

#include "decode/netlink_layout.h"

namespace halfopen {
namespace {

constexpr std::size_t Align4(std::size_t length) { return (length + 3) & ~3u; }

std::uint16_t FromNetworkOrder(std::uint16_t value) {
  if constexpr (std::endian::native == std::endian::little) {
    return __builtin_bswap16(value);
  }
  return value;
}

// Copies one tcp_info field when the kernel's struct (`info` bytes long)
// reaches it, and marks it present.
template <typename T>
void ReadInfoField(std::span<const std::uint8_t> info, wire::FieldAt at,
                   TcpInfo::Field field, T* value, TcpInfo* out) {
  static_assert(sizeof(T) <= 4);
  if (at.offset + at.size > info.size()) return;
  std::uint32_t raw = 0;
  if (at.size == 1) {
    raw = info[at.offset];
  } else if (at.size == 2) {
    std::uint16_t half = 0;
    std::memcpy(&half, info.data() + at.offset, sizeof half);
    raw = half;
  } else {
    std::memcpy(&raw, info.data() + at.offset, sizeof raw);
  }
  *value = static_cast<T>(raw);
  out->present |= field;
}

void DecodeTcpInfo(std::span<const std::uint8_t> info, TcpInfo* out) {
  ReadInfoField(info, wire::kTcpiRetransmits, TcpInfo::kRetransmits,
                &out->retransmits, out);
  ReadInfoField(info, wire::kTcpiProbes, TcpInfo::kProbes, &out->probes, out);
  ReadInfoField(info, wire::kTcpiRto, TcpInfo::kRto, &out->rto_us, out);
  ReadInfoField(info, wire::kTcpiLastDataSent, TcpInfo::kLastDataSent,
                &out->last_data_sent_ms, out);
  ReadInfoField(info, wire::kTcpiLastDataRecv, TcpInfo::kLastDataRecv,
                &out->last_data_recv_ms, out);
  ReadInfoField(info, wire::kTcpiLastAckRecv, TcpInfo::kLastAckRecv,
                &out->last_ack_recv_ms, out);
  ReadInfoField(info, wire::kTcpiTotalRetrans, TcpInfo::kTotalRetrans,
                &out->total_retrans, out);
  ReadInfoField(info, wire::kTcpiDataSegsOut, TcpInfo::kDataSegsOut,
                &out->data_segs_out, out);
  ReadInfoField(info, wire::kTcpiTotalRto, TcpInfo::kTotalRto, &out->total_rto,
                out);
  ReadInfoField(info, wire::kTcpiTotalRtoRecoveries,
                TcpInfo::kTotalRtoRecoveries, &out->total_rto_recoveries, out);
  ReadInfoField(info, wire::kTcpiTotalRtoTime, TcpInfo::kTotalRtoTime,
                &out->total_rto_time_ms, out);
}

// The sk_drops of an INET_DIAG_SKMEMINFO payload: absent when the kernel's
// array stops before it.
std::optional<std::uint32_t> DecodeDrops(std::span<const std::uint8_t> meminfo) {
  constexpr std::size_t at = wire::kSkMemInfoDrops * sizeof(std::uint32_t);
  if (meminfo.size() < at + sizeof(std::uint32_t)) return std::nullopt;
  std::uint32_t drops = 0;
  std::memcpy(&drops, meminfo.data() + at, sizeof drops);
  return drops;
}

// Decodes one inet_diag message payload (inet_diag_msg plus attributes).
// Returns false when it is malformed.
bool DecodeSocket(std::span<const std::uint8_t> payload, SocketRecord* record) {
  wire::InetDiagMessage message;
  if (payload.size() < sizeof message) return false;
  std::memcpy(&message, payload.data(), sizeof message);
  record->family = message.family;
  record->state = message.state;
  record->timer = message.timer;
  record->retrans = message.retrans;
  record->local_port = FromNetworkOrder(message.source_port_be);
  record->peer_port = FromNetworkOrder(message.destination_port_be);
  std::memcpy(record->local_address.data(), message.source, 16);
  std::memcpy(record->peer_address.data(), message.destination, 16);
  record->expires_ms = message.expires;
  record->rqueue = message.rqueue;
  record->wqueue = message.wqueue;
  record->bound_interface = message.interface;
  record->inode = message.inode;
  record->cookie =
      static_cast<std::uint64_t>(message.cookie[1]) << 32 | message.cookie[0];
  record->info = TcpInfo();
  record->drops.reset();

  std::size_t offset = Align4(sizeof message);
  while (offset + sizeof(wire::AttributeHeader) <= payload.size()) {
    wire::AttributeHeader attribute;
    std::memcpy(&attribute, payload.data() + offset, sizeof attribute);
    if (attribute.length < sizeof attribute ||
        attribute.length > payload.size() - offset) {
      return false;
    }
    const auto value = payload.subspan(offset + sizeof attribute,
                                       attribute.length - sizeof attribute);
    if (attribute.type == wire::kInetDiagInfo) {
      DecodeTcpInfo(value, &record->info);
    } else if (attribute.type == wire::kInetDiagSkMemInfo) {
      record->drops = DecodeDrops(value);
    }
    offset += Align4(attribute.length);
  }
  return true;
}

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

DatagramEnd ParseDiagDatagram(std::span<const std::uint8_t> datagram,
                              std::uint32_t sequence, std::uint32_t port_id,
                              SocketVisitor& visitor, ParseCounts* counts,
                              DumpError* error) {
  SocketRecord record;
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
    if (!DecodeSocket(payload, &record)) {
      ++counts->malformed;
      continue;
    }
    ++counts->sockets;
    visitor.OnSocket(record);
  }
  if (offset < datagram.size()) {  // Less than a header left.
    ++counts->malformed;
    ++counts->cut_short;
  }
  return DatagramEnd::kMore;
}

}  // namespace halfopen
