#include "sources/socket_owners.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace halfopen {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

// A procfs tree of processes whose descriptors link to sockets, as
// /proc/<pid>/fd/<n> do.
class FakeProcfs {
 public:
  FakeProcfs()
      : root_(fs::temp_directory_path() /
              ("halfopen-owners-" + std::to_string(getpid()))) {
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~FakeProcfs() { fs::remove_all(root_); }

  void AddProcess(int pid, const std::string& comm, std::uint32_t socket) {
    const fs::path dir = root_ / std::to_string(pid);
    fs::create_directories(dir / "fd");
    std::ofstream(dir / "comm") << comm << "\n";
    fs::create_symlink("socket:[" + std::to_string(socket) + "]",
                       dir / "fd" / "3");
    fs::create_symlink("/dev/null", dir / "fd" / "0");
  }
  std::string root() const { return root_.string(); }

 private:
  fs::path root_;
};

TEST(SocketOwners, TheFirstSearchIsWaitedFor) {
  FakeProcfs procfs;
  procfs.AddProcess(42, "nginx", 1001);
  SocketOwners owners(ProcfsReader(procfs.root()), seconds(60), seconds(5));
  const auto found = owners.Find({1001}, SocketOwners::Clock::now());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found.at(1001).at(0).pid, 42);
  EXPECT_EQ(found.at(1001).at(0).comm, "nginx");
}

// A search reads every descriptor on the host (a second with 100k of them,
// found by the soak): after the first it must not hold up the scrape that
// asks, so a new socket's owner shows up in a later answer.
TEST(SocketOwners, LaterSearchesRunBesideTheScrapes) {
  FakeProcfs procfs;
  procfs.AddProcess(42, "nginx", 1001);
  SocketOwners owners(ProcfsReader(procfs.root()), seconds(60), seconds(5));
  auto now = SocketOwners::Clock::now();
  owners.Find({1001}, now);
  procfs.AddProcess(77, "envoy", 2002);
  now += seconds(6);  // Past min_interval: a new socket starts a search.
  std::map<std::uint32_t, std::vector<SocketOwner>> found;
  for (int i = 0; i < 500 && !found.contains(2002); ++i) {
    found = owners.Find({1001, 2002}, now);
    if (!found.contains(2002)) usleep(2000);
  }
  ASSERT_TRUE(found.contains(2002));
  EXPECT_EQ(found.at(2002).at(0).comm, "envoy");
  EXPECT_EQ(found.at(1001).at(0).comm, "nginx");
}

TEST(SocketOwners, ASocketAlreadySearchedForWaitsForTheRefresh) {
  FakeProcfs procfs;
  procfs.AddProcess(42, "nginx", 1001);
  SocketOwners owners(ProcfsReader(procfs.root()), seconds(60), seconds(5));
  const auto start = SocketOwners::Clock::now();
  owners.Find({1001}, start);
  procfs.AddProcess(43, "nginx", 1001);  // A second holder appears.
  // Not due: the answer stays that of the first search.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(owners.Find({1001}, start + seconds(30)).at(1001).size(), 1u);
  }
}

}  // namespace
}  // namespace halfopen
