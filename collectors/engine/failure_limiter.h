#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace halfopen {

/// Decides which collector failures get logged, so that a collector failing
/// on every scrape (every few seconds) logs once a minute, not every time.
/// Thread-safe.
class FailureLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit FailureLimiter(std::chrono::seconds interval)
      : interval_(interval) {}

  /// Records a failure of `key` at `now`. Returns true when it should be
  /// logged; *suppressed is then set to how many failures of that key were
  /// swallowed since the last logged one.
  bool ShouldLog(const std::string& key, TimePoint now, int* suppressed);

 private:
  struct State {
    TimePoint last_logged;
    int suppressed = 0;
  };

  const std::chrono::seconds interval_;
  std::mutex mu_;
  std::map<std::string, State> states_;
};

}  // namespace halfopen
