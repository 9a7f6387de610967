#include "model/unix_listener_table.h"

#include <algorithm>
#include <functional>

namespace halfopen {
namespace {

// TCP_LISTEN: unix_diag reports socket states in TCP's numbering.
constexpr std::uint8_t kListen = 10;

void AppendHex(unsigned char byte, std::string* out) {
  constexpr char kDigits[] = "0123456789abcdef";
  out->append("\\x");
  out->push_back(kDigits[byte >> 4]);
  out->push_back(kDigits[byte & 0xf]);
}

// The length of the well-formed UTF-8 sequence starting at text[at], or 0.
std::size_t Utf8Length(std::string_view text, std::size_t at) {
  const auto byte = static_cast<unsigned char>(text[at]);
  std::size_t length = 0;
  std::uint32_t point = 0;
  if (byte >= 0xc2 && byte <= 0xdf) {
    length = 2, point = byte & 0x1f;
  } else if (byte >= 0xe0 && byte <= 0xef) {
    length = 3, point = byte & 0x0f;
  } else if (byte >= 0xf0 && byte <= 0xf4) {
    length = 4, point = byte & 0x07;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[at + i]);
    if ((next & 0xc0) != 0x80) return 0;
    point = point << 6 | (next & 0x3f);
  }
  // Overlong forms, surrogates and points past U+10FFFF are not UTF-8.
  const bool overlong =
      (length == 3 && point < 0x800) || (length == 4 && point < 0x10000);
  if (overlong || (point >= 0xd800 && point <= 0xdfff) || point > 0x10ffff) {
    return 0;
  }
  return length;
}

}  // namespace

std::string UnixPathLabel(std::string_view name) {
  std::string label;
  const bool abstract = !name.empty() && name[0] == '\0';
  if (!abstract) name = name.substr(0, name.find('\0'));
  label.reserve(name.size());
  for (std::size_t at = 0; at < name.size();) {
    const auto byte = static_cast<unsigned char>(name[at]);
    if (byte == 0) {
      label.push_back('@');
      ++at;
    } else if (byte < 0x20 || byte == 0x7f) {
      AppendHex(byte, &label);
      ++at;
    } else if (byte < 0x80) {
      label.push_back(static_cast<char>(byte));
      ++at;
    } else if (const std::size_t length = Utf8Length(name, at); length > 0) {
      label.append(name.substr(at, length));
      at += length;
    } else {
      AppendHex(byte, &label);
      ++at;
    }
  }
  return label;
}

std::string UnixTypeLabel(std::uint8_t type) {
  switch (type) {
    case kUnixStream:
      return "stream";
    case kUnixSeqpacket:
      return "seqpacket";
    case kUnixDatagram:
      return "dgram";
    default:
      return std::to_string(type);
  }
}

std::size_t UnixListenerKeyHash::operator()(const UnixListenerKey& key) const {
  return std::hash<std::string>()(key.name) * 31 + key.type;
}

double UnixQueueFill(std::uint32_t length, std::uint32_t limit) {
  return static_cast<double>(length) / (static_cast<double>(limit) + 1);
}

void UnixListenerTable::OnUnixSocket(const UnixSocketRecord& socket) {
  if (socket.state != kListen || !socket.has_queue) return;
  UnixListenerKey key{std::string(socket.name), socket.type};
  auto found = index_.find(key);
  if (found == index_.end()) {
    UnixListener listener;
    listener.path = UnixPathLabel(key.name);
    listener.key = key;
    found = index_.emplace(std::move(key), listeners_.size()).first;
    listeners_.push_back(std::move(listener));
  }
  UnixListener& listener = listeners_[found->second];
  ++listener.sockets;
  listener.inodes.push_back(socket.inode);
  listener.queue_length += socket.queue_length;
  listener.queue_limit += socket.queue_limit;
  listener.max_fill =
      std::max(listener.max_fill,
               UnixQueueFill(socket.queue_length, socket.queue_limit));
}

}  // namespace halfopen
