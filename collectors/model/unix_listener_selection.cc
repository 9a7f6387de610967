#include "model/unix_listener_selection.h"

#include <algorithm>
#include <tuple>

namespace halfopen {
namespace {

constexpr double kNearlyFull = 0.9;

// 0 for listeners in trouble, 1 for busy ones, 2 for the rest.
int Tier(const UnixListener& listener) {
  if (listener.max_fill >= kNearlyFull) return 0;
  return listener.queue_length > 0 ? 1 : 2;
}

auto ExportOrder(const UnixListener* l) {
  return std::tie(l->path, l->key.type, l->key.name);
}

void Fold(const UnixListener& listener, UnixListener* other) {
  other->sockets += listener.sockets;
  other->queue_length += listener.queue_length;
  other->queue_limit += listener.queue_limit;
  other->max_fill = std::max(other->max_fill, listener.max_fill);
}

}  // namespace

bool PassesUnixFilter(const std::string& path,
                      const UnixListenerFilter& filter) {
  return std::regex_search(path, filter.path_include) &&
         !std::regex_search(path, filter.path_exclude);
}

UnixListenerSelection SelectUnixListeners(
    const std::vector<UnixListener>& listeners,
    const UnixListenerFilter& filter,
    const std::function<bool(const UnixListener&)>& recently_full) {
  UnixListenerSelection selection;
  std::vector<const UnixListener*> passed;
  for (const UnixListener& listener : listeners) {
    if (PassesUnixFilter(listener.path, filter)) {
      passed.push_back(&listener);
    } else {
      ++selection.excluded;
      selection.left_out.push_back(&listener);
    }
  }
  if (passed.size() > filter.max_listeners) {
    auto priority = [&](const UnixListener* l) {
      const int tier = recently_full && recently_full(*l) ? 0 : Tier(*l);
      return std::tuple<int, double, double, const std::string&, std::uint8_t>{
          tier, -l->max_fill, -static_cast<double>(l->queue_length), l->path,
          l->key.type};
    };
    std::sort(passed.begin(), passed.end(),
              [&](const UnixListener* a, const UnixListener* b) {
                return priority(a) < priority(b);
              });
    for (std::size_t i = filter.max_listeners; i < passed.size(); ++i) {
      Fold(*passed[i], &selection.other);
      selection.folded.push_back(passed[i]);
    }
    passed.resize(filter.max_listeners);
  }
  std::sort(passed.begin(), passed.end(),
            [](const UnixListener* a, const UnixListener* b) {
              return ExportOrder(a) < ExportOrder(b);
            });
  selection.kept = std::move(passed);
  return selection;
}

}  // namespace halfopen
