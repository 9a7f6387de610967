#include "sources/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace halfopen {

void RunInParallel(std::size_t count, int workers,
                   const std::function<void(std::size_t)>& body) {
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  std::exception_ptr first_thrown;
  auto drain = [&] {
    for (std::size_t i = next++; i < count; i = next++) {
      try {
        body(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (first_thrown == nullptr) first_thrown = std::current_exception();
      }
    }
  };
  const std::size_t helpers =
      std::min<std::size_t>(std::max(workers, 1), count == 0 ? 1 : count) - 1;
  std::vector<std::thread> threads;
  threads.reserve(helpers);
  for (std::size_t i = 0; i < helpers; ++i) threads.emplace_back(drain);
  drain();
  for (std::thread& thread : threads) thread.join();
  if (first_thrown != nullptr) std::rethrow_exception(first_thrown);
}

}  // namespace halfopen
