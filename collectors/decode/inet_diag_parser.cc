#include "decode/inet_diag_parser.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>

#include "decode/netlink_layout.h"

namespace halfopen {
namespace {

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
std::optional<std::uint32_t> DecodeDrops(
    std::span<const std::uint8_t> meminfo) {
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

  return ForEachAttribute(
      payload, sizeof message,
      [record](std::uint16_t type, std::span<const std::uint8_t> value) {
        if (type == wire::kInetDiagInfo) {
          DecodeTcpInfo(value, &record->info);
        } else if (type == wire::kInetDiagSkMemInfo) {
          record->drops = DecodeDrops(value);
        }
      });
}

// Hands each decoded socket to the visitor.
class InetDiagDecoder : public DiagMessageDecoder {
 public:
  explicit InetDiagDecoder(SocketVisitor& visitor) : visitor_(visitor) {}

  bool Decode(std::span<const std::uint8_t> payload) override {
    if (!DecodeSocket(payload, &record_)) return false;
    visitor_.OnSocket(record_);
    return true;
  }

 private:
  SocketVisitor& visitor_;
  SocketRecord record_;
};

}  // namespace

DatagramEnd ParseDiagDatagram(std::span<const std::uint8_t> datagram,
                              std::uint32_t sequence, std::uint32_t port_id,
                              SocketVisitor& visitor, ParseCounts* counts,
                              DumpError* error) {
  InetDiagDecoder decoder(visitor);
  return WalkDiagDatagram(datagram, sequence, port_id, decoder, counts, error);
}

}  // namespace halfopen
