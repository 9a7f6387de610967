#include "tests/unit/diag_bytes.h"

#include <gtest/gtest.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <utility>

namespace halfopen::testing {
namespace {

std::uint32_t Word(const Bytes& bytes, std::size_t offset) {
  std::uint32_t value;
  std::memcpy(&value, bytes.data() + offset, 4);
  return value;
}

std::uint16_t Half(const Bytes& bytes, std::size_t offset) {
  std::uint16_t value;
  std::memcpy(&value, bytes.data() + offset, 2);
  return value;
}

}  // namespace

std::vector<RecordedDatagram> LoadRecording(const std::string& name) {
  std::ifstream in(
      std::string(HALFOPEN_SOURCE_DIR) + "/tests/fixtures/sockdiag/" + name,
      std::ios::binary);
  const Bytes file((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  std::vector<RecordedDatagram> datagrams;
  EXPECT_GT(file.size(), 8u) << name;
  std::size_t offset = 8;
  DiagRequestId id;
  while (offset < file.size()) {
    const std::uint8_t kind = file[offset++];
    if (kind == 'R') {
      id.sequence = Word(file, offset);
      id.port_id = Word(file, offset + 4);
      offset += 8;
    } else {
      const std::uint32_t length = Word(file, offset);
      offset += 4;
      datagrams.push_back(
          {id, Bytes(file.begin() + offset, file.begin() + offset + length)});
      offset += length;
    }
  }
  return datagrams;
}

DecodedDump DecodeDatagrams(const std::vector<RecordedDatagram>& datagrams) {
  SocketCollector collector;
  DecodedDump decoded;
  for (const auto& datagram : datagrams) {
    decoded.end = ParseDiagDatagram(datagram.bytes, datagram.id.sequence,
                                    datagram.id.port_id, collector,
                                    &decoded.counts, &decoded.error);
    if (decoded.end == DatagramEnd::kError) break;
  }
  decoded.sockets = std::move(collector.sockets);
  return decoded;
}

std::vector<Bytes> SplitMessages(const Bytes& datagram) {
  std::vector<Bytes> messages;
  std::size_t offset = 0;
  while (offset + sizeof(nlmsghdr) <= datagram.size()) {
    const std::size_t length = NLMSG_ALIGN(Word(datagram, offset));
    const std::size_t end = std::min(offset + length, datagram.size());
    messages.emplace_back(datagram.begin() + offset, datagram.begin() + end);
    offset = end;
  }
  return messages;
}

Bytes JoinMessages(const std::vector<Bytes>& messages) {
  Bytes joined;
  for (const auto& message : messages) {
    joined.insert(joined.end(), message.begin(), message.end());
  }
  return joined;
}

namespace {

// Rebuilds `message` attribute by attribute: `edit` may change one (type,
// bytes with its header) or empty it to drop it. Lengths are fixed up.
Bytes RebuildAttributes(
    const Bytes& message,
    const std::function<void(std::uint16_t type, Bytes* attribute)>& edit) {
  const std::size_t header =
      sizeof(nlmsghdr) + NLMSG_ALIGN(sizeof(inet_diag_msg));
  // NLMSG_DONE and errors carry no inet_diag_msg, so no attributes.
  if (message.size() < header) return message;
  Bytes out(message.begin(), message.begin() + header);
  std::size_t offset = header;
  const std::size_t end =
      std::min<std::size_t>(Word(message, 0), message.size());
  while (offset + sizeof(rtattr) <= end) {
    const std::uint16_t attribute_length = Half(message, offset);
    const std::uint16_t type = Half(message, offset + 2);
    Bytes attribute(message.begin() + offset,
                    message.begin() + offset + attribute_length);
    edit(type, &attribute);
    attribute.resize(RTA_ALIGN(attribute.size()), 0);
    out.insert(out.end(), attribute.begin(), attribute.end());
    offset += RTA_ALIGN(attribute_length);
  }
  SetHeaderWord(&out, 0, static_cast<std::uint32_t>(out.size()));
  return out;
}

}  // namespace

Bytes WithInfoLength(const Bytes& message, std::size_t length) {
  return WithAttributeLength(message, INET_DIAG_INFO, length);
}

Bytes WithAttributeLength(const Bytes& message, std::uint16_t wanted,
                          std::size_t length) {
  return RebuildAttributes(message, [&](std::uint16_t type, Bytes* attribute) {
    if (type != wanted) return;
    attribute->resize(sizeof(rtattr) + length, 0);
    const auto new_length = static_cast<std::uint16_t>(attribute->size());
    std::memcpy(attribute->data(), &new_length, 2);
  });
}

Bytes WithoutAttribute(const Bytes& message, std::uint16_t type) {
  return RebuildAttributes(message, [&](std::uint16_t found, Bytes* attribute) {
    if (found == type) attribute->clear();
  });
}

std::vector<AttributeInfo> Attributes(const Bytes& message) {
  std::vector<AttributeInfo> attributes;
  RebuildAttributes(message, [&](std::uint16_t type, Bytes* attribute) {
    attributes.push_back({type, attribute->size() - sizeof(rtattr)});
  });
  return attributes;
}

void SetHeaderWord(Bytes* message, std::size_t offset, std::uint32_t value) {
  std::memcpy(message->data() + offset, &value, 4);
}

void SetDiagByte(Bytes* message, std::size_t offset, std::uint8_t value) {
  (*message)[sizeof(nlmsghdr) + offset] = value;
}

}  // namespace halfopen::testing
