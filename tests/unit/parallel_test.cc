#include "sources/parallel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace halfopen {
namespace {

TEST(RunInParallel, CallsTheBodyOnceForEachIndex) {
  for (const int workers : {0, 1, 3, 16}) {
    std::vector<std::atomic<int>> calls(25);
    RunInParallel(calls.size(), workers, [&](std::size_t i) { ++calls[i]; });
    for (std::size_t i = 0; i < calls.size(); ++i) {
      EXPECT_EQ(calls[i], 1) << "index " << i << ", workers " << workers;
    }
  }
}

TEST(RunInParallel, OneWorkerRunsEverythingOnTheCallersThreadInOrder) {
  std::vector<std::size_t> order;
  const auto caller = std::this_thread::get_id();
  bool elsewhere = false;
  RunInParallel(5, 1, [&](std::size_t i) {
    order.push_back(i);
    elsewhere = elsewhere || std::this_thread::get_id() != caller;
  });
  EXPECT_THAT(order, ::testing::ElementsAre(0, 1, 2, 3, 4));
  EXPECT_FALSE(elsewhere);
}

// Each body waits until `workers` bodies run at once: it finishes only if
// the pool really runs that many, and never more are seen.
TEST(RunInParallel, RunsAsManyBodiesAtOnceAsWorkersAndNoMore) {
  constexpr int kWorkers = 3;
  std::mutex mu;
  std::condition_variable changed;
  int running = 0, most = 0;
  RunInParallel(9, kWorkers, [&](std::size_t) {
    std::unique_lock<std::mutex> lock(mu);
    most = std::max(most, ++running);
    changed.notify_all();
    changed.wait(lock, [&] { return most >= kWorkers; });
    --running;
  });
  EXPECT_EQ(most, kWorkers);
}

TEST(RunInParallel, RethrowsTheFirstFailureAfterRunningTheRest) {
  std::atomic<int> calls{0};
  EXPECT_THROW(RunInParallel(6, 2,
                             [&](std::size_t i) {
                               ++calls;
                               if (i == 1) throw std::runtime_error("boom");
                             }),
               std::runtime_error);
  EXPECT_EQ(calls, 6);
}

TEST(RunInParallel, NothingToRunReturnsAtOnce) {
  bool called = false;
  RunInParallel(0, 4, [&](std::size_t) { called = true; });
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace halfopen
