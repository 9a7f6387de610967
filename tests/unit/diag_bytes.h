#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "decode/inet_diag_parser.h"
#include "kernel/diag_source.h"

namespace halfopen::testing {

using Bytes = std::vector<std::uint8_t>;

/// One datagram of a recording, with the request it answered.
struct RecordedDatagram {
  DiagRequestId id;
  Bytes bytes;
};

/// Reads a recording made by halfopen_diag_dump --record, relative to
/// tests/fixtures/sockdiag/. Fails the test when it cannot.
std::vector<RecordedDatagram> LoadRecording(const std::string& name);

/// Keeps every socket the decoder hands on.
struct SocketCollector : SocketVisitor {
  void OnSocket(const SocketRecord& socket) override {
    sockets.push_back(socket);
  }
  std::vector<SocketRecord> sockets;
};

/// What decoding a recorded dump gave.
struct DecodedDump {
  std::vector<SocketRecord> sockets;
  ParseCounts counts;
  DatagramEnd end = DatagramEnd::kMore;  ///< How the last datagram ended.
  DumpError error;
};

/// Decodes the datagrams in order with ParseDiagDatagram, each against its
/// own request, and stops at an error.
DecodedDump DecodeDatagrams(const std::vector<RecordedDatagram>& datagrams);

/// Splits a datagram into its netlink messages (each padded to 4 bytes) and
/// joins them back. Only for well-formed input.
std::vector<Bytes> SplitMessages(const Bytes& datagram);
Bytes JoinMessages(const std::vector<Bytes>& messages);

/// The message with its INET_DIAG_INFO attribute's payload resized to
/// `length` bytes (cut, or zero-padded), lengths fixed up.
Bytes WithInfoLength(const Bytes& message, std::size_t length);

/// The same for the attribute of type `type` (e.g. INET_DIAG_SKMEMINFO).
Bytes WithAttributeLength(const Bytes& message, std::uint16_t type,
                          std::size_t length);

/// The message without its attributes of `type` (e.g. INET_DIAG_CGROUP_ID,
/// as a kernel before 5.8 sends it), lengths fixed up.
Bytes WithoutAttribute(const Bytes& message, std::uint16_t type);

/// One attribute of an inet_diag message: its type and payload length.
struct AttributeInfo {
  std::uint16_t type;
  std::size_t length;
};

/// The attributes of an inet_diag message, in order.
std::vector<AttributeInfo> Attributes(const Bytes& message);

/// Sets a 32-bit field of the netlink header (0 = nlmsg_len, 8 = nlmsg_seq,
/// 12 = nlmsg_pid) or a byte of the inet_diag_msg (offset from its start).
void SetHeaderWord(Bytes* message, std::size_t offset, std::uint32_t value);
void SetDiagByte(Bytes* message, std::size_t offset, std::uint8_t value);

}  // namespace halfopen::testing
