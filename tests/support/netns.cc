#include "tests/support/netns.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/process.h"

namespace halfopen::testing {

bool RunningInCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

bool NamespacesAvailable(std::string* why) {
  if (geteuid() != 0) {
    *why = "needs root to create network namespaces";
    return false;
  }
  std::string output;
  if (RunCommand("ip netns list", &output) != 0) {
    *why = "iproute2's ip netns does not work here: " + output;
    return false;
  }
  return true;
}

NetNs::NetNs(const std::string& label) : NetNs(label, "") {}

NetNs::NetNs(const std::string& label, const NetNs& creator)
    : NetNs(label, "nsenter --net=" + creator.path() + " ") {}

NetNs::NetNs(const std::string& label, const std::string& enter_creator) {
  static std::atomic<int> counter{0};
  name_ = "hoe-" + label + "-" + std::to_string(getpid()) + "-" +
          std::to_string(counter++);
  path_ = "/run/netns/" + name_;
  std::string output;
  ok_ = RunCommand(enter_creator + "ip netns add " + name_, &output) == 0;
  ok_ = ok_ && Exec("ip link set lo up", &output) == 0;
  if (!ok_)
    ADD_FAILURE() << "cannot create namespace " << name_ << ": " << output;
}

NetNs::NetNs(Unnamed) {
  holder_ = std::make_unique<Process>(
      std::vector<std::string>{"unshare", "--net", "sleep", "600"});
  const std::string link =
      "/proc/" + std::to_string(holder_->pid()) + "/ns/net";
  char own[64] = "", theirs[64] = "";
  // unshare moves itself into the new namespace, then execs sleep: poll
  // until its link differs from ours (bounded).
  for (int i = 0; i < 200 && holder_->pid() > 0; ++i) {
    const ssize_t a = readlink("/proc/self/ns/net", own, sizeof own - 1);
    const ssize_t b = readlink(link.c_str(), theirs, sizeof theirs - 1);
    if (a > 0 && b > 0 && std::string(own, a) != std::string(theirs, b)) {
      path_ = link;
      break;
    }
    usleep(10000);
  }
  std::string output;
  ok_ = !path_.empty() && Exec("ip link set lo up", &output) == 0;
  if (!ok_) ADD_FAILURE() << "cannot create an unnamed namespace: " << output;
}

NetNs::~NetNs() {
  if (holder_ != nullptr) return;  // Its process is killed, and it goes.
  std::string output;
  RunCommand("ip netns del " + name_, &output);
}

std::string NetNs::inode() const {
  struct stat status;
  if (stat(path_.c_str(), &status) != 0) return "";
  return std::to_string(status.st_ino);
}

int NetNs::holder_pid() const {
  return holder_ != nullptr ? holder_->pid() : 0;
}

int NetNs::Exec(const std::string& command, std::string* output) const {
  std::string ignored;
  std::string quoted = "'";
  for (const char c : command)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  quoted += "'";
  const std::string enter =
      holder_ != nullptr ? "nsenter --net=" + path_ : "ip netns exec " + name_;
  return RunCommand(enter + " sh -c " + quoted,
                    output != nullptr ? output : &ignored);
}

std::vector<std::string> NetNs::Wrapper() const {
  if (holder_ != nullptr) return {"nsenter", "--net=" + path_};
  return {"ip", "netns", "exec", name_};
}

void NetNs::Run(const std::function<void()>& fn) const {
  std::thread thread([&] {
    const int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    const bool entered = fd >= 0 && setns(fd, CLONE_NEWNET) == 0;
    if (fd >= 0) close(fd);
    if (!entered) {
      ADD_FAILURE() << "cannot enter namespace " << name_;
      return;
    }
    fn();
  });
  thread.join();
}

HttpResponse NetNs::HttpGet(const std::string& host, int port,
                            const std::string& path) const {
  HttpResponse response;
  response.error = "not run: could not enter the namespace";
  Run([&] { response = testing::HttpGet(host, port, path); });
  return response;
}

std::string NetNs::ReadProcNet(const std::string& file) const {
  std::string text;
  Run([&] {
    std::ifstream in("/proc/thread-self/net/" + file);
    std::stringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  });
  return text;
}

bool ConnectWithVeth(const NetNs& a, const std::string& address_a,
                     const NetNs& b, const std::string& address_b,
                     std::string* error, VethPair* pair,
                     const std::string& address6_a,
                     const std::string& address6_b) {
  static std::atomic<int> counter{0};
  const std::string suffix =
      std::to_string(getpid() % 100000) + "x" + std::to_string(counter++);
  const std::string end_a = "va" + suffix, end_b = "vb" + suffix;
  std::vector<std::string> commands = {
      "ip link add " + end_a + " netns " + a.name() + " type veth peer name " +
          end_b + " netns " + b.name(),
      "ip -n " + a.name() + " addr add " + address_a + "/24 dev " + end_a,
      "ip -n " + b.name() + " addr add " + address_b + "/24 dev " + end_b,
  };
  if (!address6_a.empty()) {
    commands.push_back("ip -n " + a.name() + " addr add " + address6_a +
                       "/64 dev " + end_a + " nodad");
    commands.push_back("ip -n " + b.name() + " addr add " + address6_b +
                       "/64 dev " + end_b + " nodad");
  }
  commands.push_back("ip -n " + a.name() + " link set " + end_a + " up");
  commands.push_back("ip -n " + b.name() + " link set " + end_b + " up");
  if (pair != nullptr) *pair = {end_a, end_b};
  for (const auto& command : commands) {
    if (RunCommand(command, error) != 0) {
      *error = command + ": " + *error;
      return false;
    }
  }
  return true;
}

int AddInputRule(const NetNs& ns, const std::string& rule) {
  std::string command =
      "nft add table inet t && nft 'add chain inet t in { type filter hook "
      "input priority 0; }'";
  if (!rule.empty()) command += " && nft add rule inet t in " + rule;
  return ns.Exec(command);
}

}  // namespace halfopen::testing
