#include "decode/unix_diag_parser.h"

#include <cstring>

#include "decode/netlink_layout.h"

namespace halfopen {
namespace {

// AF_UNIX, as in udiag_family.
constexpr std::uint8_t kFamilyUnix = 1;

// Decodes one unix_diag message payload (unix_diag_msg plus attributes).
// Returns false when it is malformed.
bool DecodeUnixSocket(std::span<const std::uint8_t> payload,
                      UnixSocketRecord* record) {
  wire::UnixDiagMessage message;
  if (payload.size() < sizeof message) return false;
  std::memcpy(&message, payload.data(), sizeof message);
  if (message.family != kFamilyUnix) return false;
  *record = UnixSocketRecord();
  record->type = message.type;
  record->state = message.state;
  record->inode = message.inode;
  bool queue_malformed = false;
  const bool attributes_ok = ForEachAttribute(
      payload, sizeof message,
      [&](std::uint16_t type, std::span<const std::uint8_t> value) {
        if (type == wire::kUnixDiagName) {
          record->name = std::string_view(
              reinterpret_cast<const char*>(value.data()), value.size());
        } else if (type == wire::kUnixDiagRqlen) {
          wire::UnixDiagQueue queue;
          if (value.size() < sizeof queue) {
            queue_malformed = true;
            return;
          }
          std::memcpy(&queue, value.data(), sizeof queue);
          record->has_queue = true;
          record->queue_length = queue.rqueue;
          record->queue_limit = queue.wqueue;
        }
      });
  return attributes_ok && !queue_malformed;
}

class UnixDiagDecoder : public DiagMessageDecoder {
 public:
  explicit UnixDiagDecoder(UnixSocketVisitor& visitor) : visitor_(visitor) {}

  bool Decode(std::span<const std::uint8_t> payload) override {
    if (!DecodeUnixSocket(payload, &record_)) return false;
    visitor_.OnUnixSocket(record_);
    return true;
  }

 private:
  UnixSocketVisitor& visitor_;
  UnixSocketRecord record_;
};

}  // namespace

DatagramEnd ParseUnixDiagDatagram(std::span<const std::uint8_t> datagram,
                                  std::uint32_t sequence, std::uint32_t port_id,
                                  UnixSocketVisitor& visitor,
                                  ParseCounts* counts, DumpError* error) {
  UnixDiagDecoder decoder(visitor);
  return WalkDiagDatagram(datagram, sequence, port_id, decoder, counts, error);
}

}  // namespace halfopen
