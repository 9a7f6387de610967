// Untrusted kernel bytes through everything that reads a unix_diag reply:
// one datagram decoded into the listener table the `unix` collector groups
// by path, then each listener's path label checked to be the UTF-8 that an
// exposition needs.
#include <cstdint>
#include <cstring>
#include <span>

#include "decode/netlink_layout.h"
#include "decode/unix_diag_parser.h"
#include "model/unix_listener_selection.h"

namespace {

// True when `text` is well-formed UTF-8 without control bytes.
bool CleanUtf8(const std::string& text) {
  for (std::size_t at = 0; at < text.size();) {
    const auto byte = static_cast<unsigned char>(text[at]);
    if (byte < 0x20 || byte == 0x7f) return false;
    std::size_t length = byte < 0x80   ? 1
                         : byte < 0xe0 ? 2
                         : byte < 0xf0 ? 3
                                       : 4;
    if (byte >= 0x80 && byte < 0xc2) return false;
    if (at + length > text.size()) return false;
    for (std::size_t i = 1; i < length; ++i) {
      if ((static_cast<unsigned char>(text[at + i]) & 0xc0) != 0x80) {
        return false;
      }
    }
    at += length;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace halfopen;
  const std::span<const std::uint8_t> bytes(data, size);
  // The request id of the first message, so that recorded replies used as
  // seeds count as answers.
  wire::NetlinkHeader first{};
  if (size >= sizeof first) std::memcpy(&first, data, sizeof first);
  UnixListenerTable table;
  ParseCounts counts;
  DumpError error;
  ParseUnixDiagDatagram(bytes, first.sequence, first.port_id, table, &counts,
                        &error);
  std::uint64_t sockets = 0;
  for (const UnixListener& listener : table.listeners()) {
    if (!CleanUtf8(listener.path)) __builtin_trap();
    if (listener.sockets == 0 || listener.inodes.size() != listener.sockets) {
      __builtin_trap();
    }
    sockets += listener.sockets;
  }
  if (sockets > counts.sockets) __builtin_trap();
  UnixListenerFilter filter;
  filter.max_listeners = 2;
  const auto selection = SelectUnixListeners(table.listeners(), filter);
  if (selection.kept.size() + selection.folded.size() + selection.excluded !=
      table.listeners().size()) {
    __builtin_trap();
  }
  return 0;
}
