#include "model/listener_selection.h"

#include <algorithm>
#include <tuple>

namespace halfopen {
namespace {

constexpr double kNearlyFull = 0.9;

// 0 for listeners in trouble, 1 for busy ones, 2 for the rest.
int Tier(const Listener& listener) {
  if (listener.max_fill >= kNearlyFull || listener.orphaned_handshakes > 0) {
    return 0;
  }
  return listener.queue_length > 0 || listener.syn_recv > 0 ? 1 : 2;
}

}  // namespace

bool PassesFilter(const Listener& listener, const ListenerFilter& filter) {
  if (!filter.port_include.empty() &&
      !InPortRanges(filter.port_include, listener.port)) {
    return false;
  }
  if (InPortRanges(filter.port_exclude, listener.port)) return false;
  const std::string address = FormatAddress(listener.family, listener.address);
  return std::regex_search(address, filter.address_include) &&
         !std::regex_search(address, filter.address_exclude);
}

namespace {

auto ExportOrder(const Listener* l) {
  return std::tie(l->port, l->family, l->address, l->device);
}

void Fold(const Listener& listener, Listener* other) {
  other->sockets += listener.sockets;
  other->queue_length += listener.queue_length;
  other->queue_limit += listener.queue_limit;
  other->max_fill = std::max(other->max_fill, listener.max_fill);
  other->syn_recv += listener.syn_recv;
  other->syn_recv_retransmitting += listener.syn_recv_retransmitting;
  other->orphaned_handshakes += listener.orphaned_handshakes;
}

}  // namespace

bool InPortRanges(const std::vector<PortRange>& ranges, std::uint16_t port) {
  return std::any_of(ranges.begin(), ranges.end(), [port](const PortRange& r) {
    return port >= r.first && port <= r.last;
  });
}

ListenerSelection SelectListeners(
    const std::vector<Listener>& listeners, const ListenerFilter& filter,
    const std::function<bool(const Listener&)>& recently_full) {
  ListenerSelection selection;
  std::vector<const Listener*> passed;
  for (const Listener& listener : listeners) {
    if (PassesFilter(listener, filter)) {
      passed.push_back(&listener);
    } else {
      ++selection.excluded;
    }
  }
  if (passed.size() > filter.max_listeners) {
    auto priority = [&](const Listener* l) {
      const int tier = recently_full && recently_full(*l) ? 0 : Tier(*l);
      return std::make_tuple(tier, -l->max_fill,
                             -static_cast<double>(l->syn_recv), l->port,
                             l->family, l->address, l->device);
    };
    std::sort(passed.begin(), passed.end(),
              [&](const Listener* a, const Listener* b) {
                return priority(a) < priority(b);
              });
    for (std::size_t i = filter.max_listeners; i < passed.size(); ++i) {
      Fold(*passed[i], &selection.other);
      selection.folded.push_back(passed[i]);
    }
    passed.resize(filter.max_listeners);
  }
  std::sort(passed.begin(), passed.end(),
            [](const Listener* a, const Listener* b) {
              return ExportOrder(a) < ExportOrder(b);
            });
  selection.kept = std::move(passed);
  return selection;
}

}  // namespace halfopen
