#include "collectors/sockdiag/inet_diag_parser.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <string.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace halfopen {
namespace {

constexpr std::size_t Align4(std::size_t length) { return (length + 3) & ~3u; }

std::uint16_t FromNetworkOrder(std::uint16_t value) {
  if constexpr (std::endian::native == std::endian::little) {
    return __builtin_bswap16(value);
  }
  return value;
}

// Decodes one inet_diag message payload (inet_diag_msg plus attributes).
// Returns false when it is malformed.
bool DecodeSocket(std::span<const std::uint8_t> payload, SocketRecord* record) {
  inet_diag_msg message;
  if (payload.size() < sizeof message) return false;
  std::memcpy(&message, payload.data(), sizeof message);
  record->family = message.idiag_family;
  record->state = message.idiag_state;
  record->timer = message.idiag_timer;
  record->retrans = message.idiag_retrans;
  record->local_port = FromNetworkOrder(message.id.idiag_sport);
  record->peer_port = FromNetworkOrder(message.id.idiag_dport);
  std::memcpy(record->local_address.data(), message.id.idiag_src, 16);
  std::memcpy(record->peer_address.data(), message.id.idiag_dst, 16);
  record->expires_ms = message.idiag_expires;
  record->rqueue = message.idiag_rqueue;
  record->wqueue = message.idiag_wqueue;
  record->uid = message.idiag_uid;
  record->inode = message.idiag_inode;
  record->cookie = static_cast<std::uint64_t>(message.id.idiag_cookie[1])
                       << 32 |
                   message.id.idiag_cookie[0];
  record->info_length = 0;

  std::size_t offset = Align4(sizeof message);
  while (offset + sizeof(rtattr) <= payload.size()) {
    rtattr attribute;
    std::memcpy(&attribute, payload.data() + offset, sizeof attribute);
    if (attribute.rta_len < sizeof attribute ||
        attribute.rta_len > payload.size() - offset) {
      return false;
    }
    const std::size_t data_length = attribute.rta_len - sizeof attribute;
    if (attribute.rta_type == INET_DIAG_INFO) {
      const std::size_t copied = std::min(data_length, sizeof record->info);
      std::memcpy(&record->info, payload.data() + offset + sizeof attribute,
                  copied);
      record->info_length = static_cast<std::uint32_t>(copied);
    }
    offset += Align4(attribute.rta_len);
  }
  return true;
}

}  // namespace

std::string ErrnoName(int error_number) {
  const char* name = strerrorname_np(error_number);
  return std::string(
             name != nullptr ? name : "errno " + std::to_string(error_number)) +
         " (" + std::strerror(error_number) + ")";
}

DatagramEnd ParseDiagDatagram(std::span<const std::uint8_t> datagram,
                              std::uint32_t sequence, std::uint32_t port_id,
                              SocketVisitor& visitor, ParseCounts* counts,
                              std::string* error) {
  SocketRecord record;
  std::size_t offset = 0;
  while (offset + sizeof(nlmsghdr) <= datagram.size()) {
    nlmsghdr header;
    std::memcpy(&header, datagram.data() + offset, sizeof header);
    if (header.nlmsg_len < sizeof header ||
        header.nlmsg_len > datagram.size() - offset) {
      ++counts->malformed;  // Cannot find the next message: drop the rest.
      return DatagramEnd::kMore;
    }
    const auto payload = datagram.subspan(offset + sizeof header,
                                          header.nlmsg_len - sizeof header);
    offset += Align4(header.nlmsg_len);
    if (header.nlmsg_seq != sequence || header.nlmsg_pid != port_id) {
      ++counts->foreign;
      continue;
    }
    if (header.nlmsg_type == NLMSG_DONE) {
      int status = 0;
      if (payload.size() >= sizeof status) {
        std::memcpy(&status, payload.data(), sizeof status);
      }
      if (status == 0) return DatagramEnd::kDone;
      *error = "the dump ended with " + ErrnoName(-status);
      return DatagramEnd::kError;
    }
    if (header.nlmsg_type == NLMSG_ERROR) {
      nlmsgerr netlink_error{};
      if (payload.size() >= sizeof netlink_error.error) {
        std::memcpy(&netlink_error.error, payload.data(),
                    sizeof netlink_error.error);
      }
      if (netlink_error.error == 0) continue;  // An acknowledgement.
      *error = "the kernel answered " + ErrnoName(-netlink_error.error);
      return DatagramEnd::kError;
    }
    if (header.nlmsg_type != SOCK_DIAG_BY_FAMILY &&
        header.nlmsg_type != TCPDIAG_GETSOCK) {
      continue;
    }
    if (!DecodeSocket(payload, &record)) {
      ++counts->malformed;
      continue;
    }
    ++counts->sockets;
    visitor.OnSocket(record);
  }
  if (offset < datagram.size()) ++counts->malformed;  // Trailing bytes.
  return DatagramEnd::kMore;
}

}  // namespace halfopen
