#include "tests/support/two_hosts.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "collectors/decode/netlink_layout.h"

namespace halfopen::testing {

const PathFamily kPathIpv4{"ipv4", "10.213.26.1", "10.213.26.2", "ip"};
const PathFamily kPathIpv6{"ipv6", "fd00:213:26::1", "fd00:213:26::2", "ip6"};

TwoHosts::TwoHosts(const std::string& label)
    : host_(label + "-host"), peer_(label + "-peer") {
  if (!host_.ok() || !peer_.ok()) {
    error_ = "cannot create the namespaces";
    return;
  }
  if (!ConnectWithVeth(host_, kPathIpv4.host, peer_, kPathIpv4.peer, &error_,
                       nullptr, kPathIpv6.host, kPathIpv6.peer)) {
    return;
  }
  if (AddInputRule(host_) != 0 || AddInputRule(peer_) != 0) {
    error_ = "cannot create the nftables input chains";
    return;
  }
  // The first packets of a fresh link wait for neighbour discovery (an
  // IPv6 handshake was seen to take 1 s, leaving its connection a 3 s
  // RTO): one connection per family resolves the neighbours for the rest.
  for (const PathFamily* family : {&kPathIpv4, &kPathIpv6}) {
    Connection warm_up = Connect(*family);
    if (!warm_up.ok()) {
      error_ = std::string("cannot connect over ") + family->name;
      return;
    }
    Abort(&warm_up);
  }
}

TwoHosts::Connection TwoHosts::Connect(const PathFamily& family) const {
  Connection c;
  int port = 0;
  peer_.Run([&] { c.listener = ListenTcp(family.peer, 16, &port); });
  host_.Run([&] { c.client = ConnectBlocking(family.peer, port); });
  if (!c.client.valid()) return c;
  c.server = Accept(c.listener);
  c.client_port = LocalPort(c.client);
  return c;
}

bool TwoHosts::Vanish(const PathFamily& family) const {
  return peer_.Exec(std::string("nft add rule inet t in ") + family.nft_family +
                    " saddr " + family.host + " drop") == 0;
}

bool TwoHosts::Lose(int percent) const {
  // By source address, so that the exporter's own scrapes over loopback
  // lose nothing.
  const std::string drop =
      " numgen random mod 100 \\< " + std::to_string(percent) + " counter drop";
  for (const PathFamily* family : {&kPathIpv4, &kPathIpv6}) {
    const std::string match =
        std::string("nft add rule inet t in ") + family->nft_family + " saddr ";
    if (host_.Exec(match + family->peer + drop) != 0 ||
        peer_.Exec(match + family->host + drop) != 0) {
      return false;
    }
  }
  return true;
}

bool TwoHosts::Heal() const {
  return host_.Exec("nft flush chain inet t in") == 0 &&
         peer_.Exec("nft flush chain inet t in") == 0;
}

std::vector<std::uint8_t> TcpInfoBytes(int fd) {
  std::vector<std::uint8_t> info(512);
  socklen_t length = info.size();
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, info.data(), &length) != 0) {
    return {};
  }
  info.resize(length);
  return info;
}

std::optional<std::uint32_t> TcpInfoField(const std::vector<std::uint8_t>& info,
                                          std::size_t offset,
                                          std::size_t size) {
  if (offset + size > info.size() || size > 4) return std::nullopt;
  std::uint32_t value = 0;
  if (size == 1) return info[offset];
  if (size == 2) {
    std::uint16_t half;
    std::memcpy(&half, info.data() + offset, size);
    return half;
  }
  std::memcpy(&value, info.data() + offset, size);
  return value;
}

std::string DescribeInfo(const std::vector<std::uint8_t>& info) {
  const auto field = [&](wire::FieldAt at) {
    return TcpInfoField(info, at.offset, at.size).value_or(0);
  };
  char text[256];
  std::snprintf(
      text, sizeof text,
      "r %u, probes %u, rto %u us, last sent %u ms, last ack %u ms, %u of %u "
      "data segments retransmitted, %u RTOs in %u episodes (%u ms)",
      field(wire::kTcpiRetransmits), field(wire::kTcpiProbes),
      field(wire::kTcpiRto), field(wire::kTcpiLastDataSent),
      field(wire::kTcpiLastAckRecv), field(wire::kTcpiTotalRetrans),
      field(wire::kTcpiDataSegsOut), field(wire::kTcpiTotalRto),
      field(wire::kTcpiTotalRtoRecoveries), field(wire::kTcpiTotalRtoTime));
  return text;
}

BulkTransfer::BulkTransfer(TwoHosts::Connection* connection)
    : connection_(*connection) {
  writer_ = std::thread([this] {
    std::vector<char> chunk(16384, 'y');
    while (!stop_ && send(connection_.client.get(), chunk.data(), chunk.size(),
                          MSG_NOSIGNAL) > 0) {
    }
  });
  reader_ = std::thread([this] {
    std::vector<char> buffer(65536);
    ssize_t n;
    while ((n = recv(connection_.server.get(), buffer.data(), buffer.size(),
                     0)) > 0) {
      received_ += n;
    }
  });
}

BulkTransfer::~BulkTransfer() { Stop(); }

void BulkTransfer::Stop() {
  if (!writer_.joinable()) return;
  stop_ = true;
  // A blocked send or recv returns once its socket is shut down.
  shutdown(connection_.client.get(), SHUT_RDWR);
  shutdown(connection_.server.get(), SHUT_RDWR);
  writer_.join();
  reader_.join();
}

RequestResponse::RequestResponse(TwoHosts::Connection* connection, int pause_ms)
    : connection_(*connection) {
  server_ = std::thread([this] {
    char buffer[4096];
    ssize_t n;
    while ((n = recv(connection_.server.get(), buffer, sizeof buffer, 0)) > 0) {
      if (send(connection_.server.get(), buffer, n, MSG_NOSIGNAL) != n) break;
    }
  });
  client_ = std::thread([this, pause_ms] {
    const std::string request(200, 'q');
    char buffer[4096];
    while (!stop_) {
      if (send(connection_.client.get(), request.data(), request.size(),
               MSG_NOSIGNAL) <= 0) {
        break;
      }
      std::size_t got = 0;
      ssize_t n = 1;
      while (got < request.size() && (n = recv(connection_.client.get(), buffer,
                                               sizeof buffer, 0)) > 0) {
        got += n;
      }
      if (n <= 0) break;
      ++exchanges_;
      std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    }
  });
}

RequestResponse::~RequestResponse() { Stop(); }

void RequestResponse::Stop() {
  if (!client_.joinable()) return;
  stop_ = true;
  shutdown(connection_.client.get(), SHUT_RDWR);
  shutdown(connection_.server.get(), SHUT_RDWR);
  client_.join();
  server_.join();
}

double NumberFromEnvironment(const char* name, double fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::atof(value) : fallback;
}

void Abort(TwoHosts::Connection* connection) {
  const linger reset{1, 0};
  for (Fd* fd : {&connection->client, &connection->server}) {
    if (!fd->valid()) continue;
    setsockopt(fd->get(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    *fd = Fd();
  }
}

}  // namespace halfopen::testing
