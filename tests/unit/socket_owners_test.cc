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
  // A process whose descriptors this user may not list: its fd folder is
  // missing from the fake, its exe link is there, as another user's is to
  // a reader with CAP_SYS_PTRACE but not CAP_DAC_READ_SEARCH.
  void AddUnreadableProcess(int pid) {
    const fs::path dir = root_ / std::to_string(pid);
    fs::create_directories(dir);
    fs::create_symlink("/usr/sbin/sshd", dir / "exe");
  }
  // A kernel thread, or a process that exited meanwhile: no fd, no exe.
  void AddKernelThread(int pid) {
    fs::create_directories(root_ / std::to_string(pid));
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

// Found on a machine with nothing but root's processes (the kernel test VM):
// a process whose exe a reader may follow but whose descriptors it may not
// list was not counted, so the log never said which capability was missing.
TEST(SocketOwners, ProcessesWhoseDescriptorsCannotBeListedAreCountedDenied) {
  FakeProcfs procfs;
  procfs.AddProcess(42, "nginx", 1001);
  procfs.AddUnreadableProcess(43);
  procfs.AddUnreadableProcess(44);
  procfs.AddKernelThread(2);
  SocketOwners owners(ProcfsReader(procfs.root()), seconds(60), seconds(5));
  EXPECT_EQ(owners.Find({1001}, SocketOwners::Clock::now()).size(), 1u);
  EXPECT_EQ(owners.denied(), 2);
}

}  // namespace
}  // namespace halfopen
