#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/netns.h"
#include "tests/support/sockets.h"

namespace halfopen::testing {

/// One address family of a TwoHosts path: the two ends' addresses, and the
/// nftables word that matches its source address ("ip" or "ip6").
struct PathFamily {
  const char* name;
  const char* host;
  const char* peer;
  const char* nft_family;
};
extern const PathFamily kPathIpv4;
extern const PathFamily kPathIpv6;

/// The observed host and a peer, two network namespaces joined by a veth
/// pair with an IPv4 and an IPv6 address each, and an nftables input chain
/// on both ends. Loss and silence are made on the receiving side, as a lossy
/// or broken path would: never in the sender's own output hook, where a
/// drop fails the transmit instead of losing the segment.
class TwoHosts {
 public:
  /// `label` names the namespaces (hoe-<label>-host-…, hoe-<label>-peer-…).
  explicit TwoHosts(const std::string& label);

  /// Empty when the path is up; else what failed.
  const std::string& error() const { return error_; }
  const NetNs& host() const { return host_; }
  const NetNs& peer() const { return peer_; }

  /// A connection from the host to a listener on the peer, accepted.
  struct Connection {
    Fd listener, client, server;
    int client_port = 0;
    bool ok() const { return client.valid() && server.valid(); }
  };
  Connection Connect(const PathFamily& family) const;

  /// The peer vanishes for `family`: it drops everything the host sends.
  bool Vanish(const PathFamily& family) const;
  /// Every packet between the hosts, both families, is lost with `percent`
  /// chance, each way.
  bool Lose(int percent) const;
  /// Removes every drop rule: the path is whole again.
  bool Heal() const;

 private:
  NetNs host_;
  NetNs peer_;
  std::string error_;
};

/// The client's own tcp_info, as the kernel gives it (all of its length).
std::vector<std::uint8_t> TcpInfoBytes(int fd);
/// A field of those bytes, or nothing when the kernel's struct is shorter.
std::optional<std::uint32_t> TcpInfoField(const std::vector<std::uint8_t>& info,
                                          std::size_t offset, std::size_t size);

/// The fields of a sender's tcp_info that retransmit_stall reads, in words,
/// for a test's log.
std::string DescribeInfo(const std::vector<std::uint8_t>& info);

/// A bulk transfer over a connection: the client writes as fast as the
/// path takes it and the server reads, until Stop(), which aborts the
/// connection (RST) so that nothing of it lingers.
class BulkTransfer {
 public:
  explicit BulkTransfer(TwoHosts::Connection* connection);
  ~BulkTransfer();
  BulkTransfer(const BulkTransfer&) = delete;
  BulkTransfer& operator=(const BulkTransfer&) = delete;

  void Stop();
  long long received() const { return received_; }

 private:
  TwoHosts::Connection& connection_;
  std::atomic<bool> stop_{false};
  std::atomic<long long> received_{0};
  std::thread writer_, reader_;
};

/// Request/response over a connection: the client sends a small request,
/// the server answers it, every `pause` milliseconds, until Stop().
class RequestResponse {
 public:
  RequestResponse(TwoHosts::Connection* connection, int pause_ms);
  ~RequestResponse();
  RequestResponse(const RequestResponse&) = delete;
  RequestResponse& operator=(const RequestResponse&) = delete;

  void Stop();
  long long exchanges() const { return exchanges_; }

 private:
  TwoHosts::Connection& connection_;
  std::atomic<bool> stop_{false};
  std::atomic<long long> exchanges_{0};
  std::thread client_, server_;
};

/// A number from the environment (the long forms of the scenario tests set
/// them), or `fallback`.
double NumberFromEnvironment(const char* name, double fallback);

/// Closes a connection's sockets with a reset (SO_LINGER 0), so that no
/// retransmission of it outlives the test step.
void Abort(TwoHosts::Connection* connection);

}  // namespace halfopen::testing
