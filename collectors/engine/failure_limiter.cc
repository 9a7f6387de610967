#include "engine/failure_limiter.h"

namespace halfopen {

bool FailureLimiter::ShouldLog(const std::string& key, TimePoint now,
                               int* suppressed) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = states_.try_emplace(key);
  State& state = it->second;
  if (!inserted && now - state.last_logged < interval_) {
    ++state.suppressed;
    return false;
  }
  *suppressed = state.suppressed;
  state.suppressed = 0;
  state.last_logged = now;
  return true;
}

}  // namespace halfopen
