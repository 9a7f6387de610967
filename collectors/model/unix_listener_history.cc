#include "model/unix_listener_history.h"

#include <cstring>

namespace halfopen {
namespace {

// AF_UNIX: no TCP listener has it, so no stand-in meets a real listener.
constexpr std::uint8_t kFamilyUnix = 1;

std::uint64_t Fnv1a(std::string_view bytes, std::uint8_t type,
                    std::uint64_t hash) {
  auto mix = [&hash](std::uint8_t byte) {
    hash ^= byte;
    hash *= 1099511628211ull;
  };
  for (const char c : bytes) mix(static_cast<std::uint8_t>(c));
  mix(type);
  return hash;
}

}  // namespace

UnixListenerHistory::UnixListenerHistory(double peak_window_seconds,
                                         std::size_t max_listeners)
    : history_(ListenerHistory::Config{peak_window_seconds, max_listeners,
                                       ListenerFilter()}) {}

Listener UnixListenerHistory::StandIn(std::string_view name,
                                      std::uint8_t type) {
  Listener listener;
  listener.family = kFamilyUnix;
  // Two 64-bit hashes from different bases: a collision of both, which
  // would merge two listeners' histories, is not to be expected.
  const std::uint64_t halves[2] = {Fnv1a(name, type, 1469598103934665603ull),
                                   Fnv1a(name, type, 0x9e3779b97f4a7c15ull)};
  static_assert(sizeof halves == sizeof listener.address);
  std::memcpy(listener.address.data(), halves, sizeof halves);
  return listener;
}

void UnixListenerHistory::Observe(const UnixSocketRecord& socket) {
  constexpr std::uint8_t kListen = 10;
  if (socket.state != kListen || !socket.has_queue) return;
  const Listener stand_in = StandIn(socket.name, socket.type);
  SocketRecord record;
  record.family = stand_in.family;
  record.state = kTcpListen;
  record.local_address = stand_in.address;
  record.rqueue = socket.queue_length;
  record.wqueue = socket.queue_limit;
  history_.Observe(record);
}

ListenerObservation UnixListenerHistory::Read(const UnixListener& listener,
                                              double now_seconds) const {
  return history_.Read(StandIn(listener.key.name, listener.key.type),
                       now_seconds);
}

bool UnixListenerHistory::RecentlyFull(const UnixListener& listener,
                                       double now_seconds) const {
  return history_.RecentlyFull(StandIn(listener.key.name, listener.key.type),
                               now_seconds);
}

ListenerObservation UnixListenerHistory::FoldOthers(
    const std::vector<const UnixListener*>& kept,
    const std::vector<const UnixListener*>& excluded, double now_seconds) {
  std::vector<Listener> stand_ins;
  stand_ins.reserve(kept.size() + excluded.size());
  for (const auto* list : {&kept, &excluded}) {
    for (const UnixListener* listener : *list) {
      stand_ins.push_back(StandIn(listener->key.name, listener->key.type));
    }
  }
  std::vector<const Listener*> not_folded;
  not_folded.reserve(stand_ins.size());
  for (const Listener& stand_in : stand_ins) not_folded.push_back(&stand_in);
  return history_.FoldOthers(not_folded, now_seconds);
}

}  // namespace halfopen
