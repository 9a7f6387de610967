#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/process.h"

namespace halfopen::testing {

/// True when this process can create network namespaces (root, iproute2).
/// Otherwise *why says why in one line.
bool NamespacesAvailable(std::string* why);

/// Scenario tests call this first: under CI=true a missing capability is a
/// failure, elsewhere the test is skipped with the one-line reason.
#define REQUIRE_NAMESPACES()                                                \
  do {                                                                      \
    std::string why_unavailable;                                            \
    if (!::halfopen::testing::NamespacesAvailable(&why_unavailable)) {      \
      if (::halfopen::testing::RunningInCi()) {                             \
        FAIL() << "scenario cannot run under CI=true: " << why_unavailable; \
      }                                                                     \
      GTEST_SKIP() << why_unavailable;                                      \
    }                                                                       \
  } while (false)

/// True when the environment says CI=true.
bool RunningInCi();

/// A network namespace made for one test: created with its loopback up,
/// deleted (with everything in it) when destroyed, even if the test failed.
class NetNs {
 public:
  /// `label` becomes part of the unique name (hoe-<label>-<pid>-<n>).
  explicit NetNs(const std::string& label);
  /// The same, created from inside `creator` (which must outlive the call
  /// only): the kernel sizes a new namespace's TCP hash table by its
  /// creator's net.ipv4.tcp_child_ehash_entries, so a test can give it a
  /// table of its own without touching the host's setting.
  NetNs(const std::string& label, const NetNs& creator);
  /// A namespace with no name, held only by a process of its own
  /// (`unshare --net sleep`), like a container's; loopback up. The process
  /// is killed, and the namespace goes with it, when this is destroyed.
  struct Unnamed {};
  explicit NetNs(Unnamed);
  ~NetNs();
  NetNs(const NetNs&) = delete;
  NetNs& operator=(const NetNs&) = delete;

  /// Empty for an unnamed namespace.
  const std::string& name() const { return name_; }
  /// What setns() opens: /run/netns/<name>, or /proc/<pid>/ns/net.
  const std::string& path() const { return path_; }
  /// The namespace's inode: the `netns` label the exporter gives it.
  std::string inode() const;
  /// The pid of the process holding an unnamed namespace (0 for a named).
  int holder_pid() const;
  bool ok() const { return ok_; }

  /// Runs a shell command inside the namespace; returns its exit code and
  /// sets *output to what it printed (stdout and stderr).
  int Exec(const std::string& command, std::string* output = nullptr) const;

  /// The prefix that runs a program inside the namespace.
  std::vector<std::string> Wrapper() const;

  /// Runs `fn` on a thread that has entered the namespace (sockets it opens
  /// belong there and stay there) and returns once it has finished.
  void Run(const std::function<void()>& fn) const;

  /// A GET from inside the namespace, e.g. of an exporter listening on its
  /// loopback.
  HttpResponse HttpGet(const std::string& host, int port,
                       const std::string& path) const;

  /// A file below /proc/<thread>/net as seen inside the namespace.
  std::string ReadProcNet(const std::string& file) const;

 private:
  // `enter_creator` prefixes `ip netns add` ("" for the caller's namespace).
  NetNs(const std::string& label, const std::string& enter_creator);

  std::string name_;
  std::string path_;
  std::unique_ptr<Process> holder_;
  bool ok_ = false;
};

/// The interface names of a veth pair: end_a lives in namespace a.
struct VethPair {
  std::string end_a;
  std::string end_b;
};

/// Joins two namespaces with a veth pair and gives each end an address in
/// a /24 (e.g. "10.200.1.1" and "10.200.1.2") and, when given, an IPv6
/// address in a /64 (without duplicate-address detection, so it is usable
/// at once). Returns false on failure with *error set. Interfaces vanish
/// with their namespaces.
bool ConnectWithVeth(const NetNs& a, const std::string& address_a,
                     const NetNs& b, const std::string& address_b,
                     std::string* error, VethPair* pair = nullptr,
                     const std::string& address6_a = "",
                     const std::string& address6_b = "");

/// Adds an nftables rule to the input path of `ns` (e.g. "tcp dport 80 tcp
/// flags syn drop"), creating the table "t" and its input chain "in" first
/// when they are missing; an empty rule creates only those, for rules added
/// later with "nft add rule inet t in …". Returns nft's exit status.
int AddInputRule(const NetNs& ns, const std::string& rule = "");

}  // namespace halfopen::testing
