#pragma once

#include <functional>
#include <mutex>
#include <span>

#include "model/listener_drops.h"

namespace halfopen {

/// The exact listener drops of one network namespace (model/listener_drops),
/// shared by the two that dump its listeners, the scrape's socket walk and
/// the listener sampler, and read by the listeners collector. Thread-safe.
class DropLedger {
 public:
  /// Applies one complete LISTEN dump that started at `started_seconds` on
  /// the steady clock (see ListenerDrops::Apply).
  void Apply(std::span<const DropSample> samples, double started_seconds) {
    std::lock_guard<std::mutex> lock(mu_);
    drops_.Apply(samples, started_seconds);
  }

  /// Runs `read` with the lock held; it may call FoldOthers.
  void With(const std::function<void(ListenerDrops&)>& read) {
    std::lock_guard<std::mutex> lock(mu_);
    read(drops_);
  }

 private:
  std::mutex mu_;
  ListenerDrops drops_;
};

}  // namespace halfopen
