// With --netns.scope=all every namespace's full walk costs a walk of the
// host's whole connection hash. Sources::Walks spends only the first half of
// a scrape's time on full walks of other namespaces, oldest first, and gives
// the rest their listeners and their last full walk's connections. Real
// namespaces (found by the real search), a source that makes each full
// dump slow: the seam through which tests inject faults.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "kernel/diag_source.h"
#include "sources/sources.h"
#include "tests/support/netns.h"
#include "tests/support/sockets.h"

namespace halfopen::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Long beside the real work around the dumps (namespaces opened, listeners
// dumped, sockstat read: up to 70 ms per scrape under emulation), which the
// time bound below allows for only within one dump.
constexpr auto kFullDump = milliseconds(150);

// How many full dumps run at once, now and at most.
struct Overlap {
  std::atomic<int> now{0};
  std::atomic<int> most{0};
};

// Listeners come back at once and empty; a full dump takes kFullDump, and
// is counted in `overlap` while it runs.
class SlowFullDumps : public DiagSource {
 public:
  explicit SlowFullDumps(Overlap* overlap = nullptr) : overlap_(overlap) {}
  Status Dump(DumpScope scope, const DatagramHandler&) override {
    if (scope != DumpScope::kConnections) return Status::Ok();
    if (overlap_ != nullptr) {
      const int now = ++overlap_->now;
      int most = overlap_->most;
      while (now > most && !overlap_->most.compare_exchange_weak(most, now)) {
      }
    }
    std::this_thread::sleep_for(kFullDump);
    if (overlap_ != nullptr) --overlap_->now;
    return Status::Ok();
  }

 private:
  Overlap* overlap_;
};

// A namespace with a connection in it (its sockstat then shows sockets
// beyond its listeners, so it needs full walks).
struct Busy {
  NetNs ns{"budget"};
  Fd listener, client, server;
  Busy() {
    ns.Run([&] {
      int port = 0;
      listener = ListenTcp("127.0.0.1", 4, &port);
      client = ConnectBlocking("127.0.0.1", port);
      server = Accept(listener);
    });
  }
};

// Four busy namespaces, and their inodes.
struct Busies {
  std::vector<std::unique_ptr<Busy>> each;
  std::set<std::uint64_t> inodes;
  Busies() {
    for (int i = 0; i < 4; ++i) {
      each.push_back(std::make_unique<Busy>());
      inodes.insert(std::stoull(each.back()->ns.inode()));
    }
  }
  bool ok() const {
    return std::all_of(each.begin(), each.end(),
                       [](const auto& one) { return one->server.valid(); });
  }
};

// Walkers, and the scrape's time in full dumps: half of it leaves room for
// fewer full walks than there are busy namespaces (the own one included).
class WalkBudget : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(WalkBudget, FullWalksTakeTurnsWithinHalfTheScrapesTime) {
  REQUIRE_NAMESPACES();
  const auto [walkers, full_dumps] = GetParam();
  Busies busy;
  ASSERT_TRUE(busy.ok());
  const std::set<std::uint64_t>& ours = busy.inodes;
  SourceOptions options;
  options.netns_scope = "all";
  options.netns_walkers = walkers;
  Sources sources(options, [] { return std::make_unique<SlowFullDumps>(); });

  // Each scrape may spend full_dumps / 2 full dumps' worth of time on full
  // walks, on `walkers` at once: the own namespace's and at most a few
  // others, never all of ours.
  const auto budget = full_dumps * kFullDump;
  std::map<std::uint64_t, int> full_walks;  // Of ours, by inode.
  std::uint64_t scrape = 0;
  std::size_t namespaces = 0;
  bool each_walked = false;
  bool saw_put_off_after_a_walk = false;
  while (!each_walked && scrape < 100) {
    const auto start = Clock::now();
    const auto walks = sources.Walks(++scrape, start + budget);
    const auto took = Clock::now() - start;
    namespaces = walks.size();
    ASSERT_GE(namespaces, 1 + ours.size());
    // Full walks start only in the first half; the last may end after it.
    EXPECT_LT(took, budget / 2 + 2 * kFullDump) << "scrape " << scrape;
    int walked_now = 0;
    for (const NamespaceWalk& walk : walks) {
      const std::uint64_t inode = walk.netns->identity.inode;
      const bool put_off = walk.walk->connections_unknown ||
                           walk.walk->connections_age_seconds > 0;
      if (walk.netns->identity.own) {
        EXPECT_FALSE(put_off) << "the own namespace is always walked";
        continue;
      }
      if (!ours.contains(inode)) continue;
      if (!put_off) {
        ++full_walks[inode];
        ++walked_now;
      } else if (full_walks[inode] > 0) {
        // Put off after a full walk: its connections, with their age.
        EXPECT_FALSE(walk.walk->connections_unknown);
        EXPECT_GT(walk.walk->connections_age_seconds, 0);
        saw_put_off_after_a_walk = true;
      } else {
        EXPECT_TRUE(walk.walk->connections_unknown);
      }
    }
    EXPECT_LT(walked_now, static_cast<int>(ours.size())) << "scrape " << scrape;
    each_walked = full_walks.size() == ours.size();
  }
  // Every namespace's turn came, within as many scrapes as there are
  // namespaces (oldest first), and some were put off after a walk.
  EXPECT_TRUE(each_walked);
  EXPECT_LE(scrape, namespaces);
  EXPECT_TRUE(saw_put_off_after_a_walk || scrape == 1);

  // With no deadline, everything is walked.
  for (const NamespaceWalk& walk : sources.Walks(++scrape)) {
    EXPECT_FALSE(walk.walk->connections_unknown);
    EXPECT_EQ(walk.walk->connections_age_seconds, 0);
  }
}

// One walker: 3 full dumps in the first half; two walkers: 2 rounds of 2.
INSTANTIATE_TEST_SUITE_P(Walkers, WalkBudget,
                         ::testing::Values(std::pair{1, 6}, std::pair{2, 4}));

TEST(ParallelWalks, RunAsManyFullDumpsAtOnceAsThereAreWalkersAndNoMore) {
  REQUIRE_NAMESPACES();
  Busies busy;
  ASSERT_TRUE(busy.ok());
  const std::set<std::uint64_t>& ours = busy.inodes;
  for (const int walkers : {1, 3}) {
    Overlap overlap;
    SourceOptions options;
    options.netns_scope = "all";
    options.netns_walkers = walkers;
    Sources sources(options, [&overlap] {
      return std::make_unique<SlowFullDumps>(&overlap);
    });
    const auto walks = sources.Walks(1);
    ASSERT_GE(walks.size(), 1 + ours.size());
    // Five or more full dumps of 60 ms each: with 3 walkers, 3 overlap.
    EXPECT_EQ(overlap.most, walkers);
    // Each full walk's time is kept for its namespace (other namespaces
    // on the machine may vanish meanwhile: only ours are looked at).
    for (const NamespaceWalk& walk : walks) {
      if (!ours.contains(walk.netns->identity.inode)) continue;
      EXPECT_TRUE(walk.walk->status.ok()) << walk.walk->status.message();
      EXPECT_FALSE(walk.walk->connections_unknown);
      const auto seconds = walk.netns->walker.last_full_walk_duration_seconds();
      ASSERT_TRUE(seconds.has_value());
      EXPECT_GE(*seconds, 0.06);
    }
    EXPECT_GE(sources.other_walks_seconds_total(), 0.06 * ours.size());
  }
}

}  // namespace
}  // namespace halfopen::testing
