#pragma once

#include <cstddef>
#include <functional>

namespace halfopen {

/// Calls `body(i)` for every i in [0, count), in increasing order of start,
/// on at most `workers` threads at once: the caller's and up to workers - 1
/// more, started for the call and joined before it returns. Each thread
/// takes the next index as soon as its last body returns, so one slow body
/// does not hold up the others. `workers` below 1 counts as 1 (everything
/// on the caller's thread). If a body throws, the remaining indices are
/// still run and the first exception is rethrown once every thread has
/// finished.
void RunInParallel(std::size_t count, int workers,
                   const std::function<void(std::size_t)>& body);

}  // namespace halfopen
