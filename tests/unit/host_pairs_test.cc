#include "model/host_pairs.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "model/evidence.h"

namespace halfopen {
namespace {

constexpr std::uint64_t kClientPod = 11, kServerPod = 22, kRouter = 33;

Address V4(const char* text) {
  Address address{};
  inet_pton(AF_INET, text, address.data());
  return address;
}

SocketRecord End(const char* local, std::uint16_t local_port, const char* peer,
                 std::uint16_t peer_port,
                 std::uint8_t state = kTcpEstablished) {
  SocketRecord socket;
  socket.family = kFamilyIpv4;
  socket.state = state;
  socket.local_address = V4(local);
  socket.peer_address = V4(peer);
  socket.local_port = local_port;
  socket.peer_port = peer_port;
  socket.info.present = TcpInfo::kAll;
  socket.info.last_ack_recv_ms = 5000;  // the peer silent for 5 s
  static std::uint64_t next_cookie = 1;
  socket.cookie = next_cookie++;
  return socket;
}

// Two pods and a router holding a service address, as one collection sees
// them; `collect` adds the connections.
std::map<std::uint64_t, SuspicionSummary> Collection(
    HostPairs* pairs, double now,
    const std::function<void(HostPairs*)>& collect) {
  pairs->BeginCollection(now);
  pairs->AddAddress(kClientPod, kFamilyIpv4, V4("10.0.1.5"));
  pairs->AddAddress(kServerPod, kFamilyIpv4, V4("10.0.2.7"));
  pairs->AddAddress(kRouter, kFamilyIpv4, V4("10.96.0.10"));
  pairs->AddListener(kServerPod, kFamilyIpv4, V4("0.0.0.0"), 8080);
  collect(pairs);
  return pairs->Finish();
}

// Twice, kFullPersistenceSeconds apart, so that evidence has persisted.
std::map<std::uint64_t, SuspicionSummary> Persisted(
    HostPairs* pairs, const std::function<void(HostPairs*)>& collect) {
  Collection(pairs, 0, collect);
  return Collection(pairs, kFullPersistenceSeconds, collect);
}

std::uint64_t Count(std::map<std::uint64_t, SuspicionSummary>& summaries,
                    std::uint64_t netns, Reason reason) {
  return summaries[netns].suspects[static_cast<std::size_t>(reason)];
}

TEST(HostPairs, AddressesHaveOneOwnerOrNone) {
  HostPairs pairs{SuspicionConfig{}};
  pairs.BeginCollection(0);
  pairs.AddAddress(kClientPod, kFamilyIpv4, V4("10.0.1.5"));
  pairs.AddAddress(kServerPod, kFamilyIpv4, V4("172.17.0.1"));
  pairs.AddAddress(kRouter, kFamilyIpv4, V4("172.17.0.1"));  // twice: nobody's
  EXPECT_EQ(pairs.Owner(kFamilyIpv4, V4("10.0.1.5")), kClientPod);
  EXPECT_EQ(pairs.Owner(kFamilyIpv4, V4("172.17.0.1")), 0u);
  EXPECT_EQ(pairs.Owner(kFamilyIpv4, V4("192.0.2.1")), 0u);
  pairs.Finish();
  // Remembered after its namespace is gone, until another takes it.
  pairs.BeginCollection(10);
  EXPECT_EQ(pairs.Owner(kFamilyIpv4, V4("10.0.1.5")), kClientPod);
  pairs.AddAddress(kServerPod, kFamilyIpv4, V4("10.0.1.5"));
  EXPECT_EQ(pairs.Owner(kFamilyIpv4, V4("10.0.1.5")), kServerPod);
  pairs.Finish();
  pairs.BeginCollection(10 + HostPairs::kRememberSeconds + 1);
  pairs.Finish();
  EXPECT_EQ(pairs.Owner(kFamilyIpv4, V4("10.0.1.5")), 0u);
}

// A client in one pod and a server in another, both present: neither is
// flagged as having lost its peer.
void ExpectNeitherEndPeerMissing(const SocketRecord& client,
                                 const SocketRecord& server) {
  HostPairs pairs{SuspicionConfig{}};
  auto summaries = Persisted(&pairs, [&](HostPairs* p) {
    p->AddSocket(kClientPod, client, {}, 100);
    p->AddSocket(kServerPod, server, {}, 100);
  });
  EXPECT_EQ(Count(summaries, kClientPod, Reason::kPeerMissing), 0u);
  EXPECT_EQ(Count(summaries, kServerPod, Reason::kPeerMissing), 0u);
}

TEST(HostPairs, BothEndsPresentIsHealthy) {
  ExpectNeitherEndPeerMissing(End("10.0.1.5", 40000, "10.0.2.7", 8080),
                              End("10.0.2.7", 8080, "10.0.1.5", 40000));
}

TEST(HostPairs, ClientWhosePodsServerIsGoneIsPeerMissing) {
  HostPairs pairs{SuspicionConfig{}};
  const SocketRecord client = End("10.0.1.5", 40000, "10.0.2.7", 8080);
  auto summaries = Persisted(
      &pairs, [&](HostPairs* p) { p->AddSocket(kClientPod, client, {}, 100); });
  EXPECT_EQ(Count(summaries, kClientPod, Reason::kPeerMissing), 1u);
  ASSERT_EQ(summaries[kClientPod].top.size(), 1u);
  EXPECT_EQ(summaries[kClientPod].top[0].score, kLocalPeerGoneScore);
  EXPECT_EQ(summaries[kClientPod].top[0].local_port, 40000);
}

// A namespace whose walk was put off to a later scrape may hold the server
// end: not knowing is not "gone".
TEST(HostPairs, ServerInANamespaceNotWalkedIsNotJudgedMissing) {
  HostPairs pairs{SuspicionConfig{}};
  const auto client = End("10.0.1.5", 40000, "10.0.2.7", 8080);
  auto summaries = Persisted(&pairs, [&](HostPairs* p) {
    p->NotWalked(kServerPod);
    p->AddSocket(kClientPod, client, {}, 100);
  });
  EXPECT_EQ(Count(summaries, kClientPod, Reason::kPeerMissing), 0u);
  // Walked, and the server end is not there: now it is missing.
  summaries = Persisted(
      &pairs, [&](HostPairs* p) { p->AddSocket(kClientPod, client, {}, 100); });
  EXPECT_EQ(Count(summaries, kClientPod, Reason::kPeerMissing), 1u);
}

TEST(HostPairs, SuspectAgeIsHowLongItsEvidenceHasPersisted) {
  HostPairs pairs{SuspicionConfig{}};
  const SocketRecord client = End("10.0.1.5", 40000, "10.0.2.7", 8080);
  const auto collect = [&](HostPairs* p) {
    p->AddSocket(kClientPod, client, {}, 100);
  };
  Collection(&pairs, 50, collect);
  auto summaries = Collection(&pairs, 59, collect);
  ASSERT_EQ(summaries[kClientPod].top.size(), 1u);
  EXPECT_DOUBLE_EQ(summaries[kClientPod].top[0].age_seconds, 9);
}

TEST(HostPairs, FirstSightIsOnlyHalfTheScore) {
  HostPairs pairs{SuspicionConfig{}};
  const SocketRecord client = End("10.0.1.5", 40000, "10.0.2.7", 8080);
  auto summaries = Collection(&pairs, 0, [&](HostPairs* p) {
    p->AddSocket(kClientPod, client, {}, 100);
  });
  EXPECT_EQ(Count(summaries, kClientPod, Reason::kPeerMissing), 0u);
}

TEST(HostPairs, CounterpartOnlyAnOrphanedHandshakeIsAcceptQueueOrphan) {
  HostPairs pairs{SuspicionConfig{}};
  const SocketRecord client = End("10.0.1.5", 40000, "10.0.2.7", 8080);
  SocketRecord request = End("10.0.2.7", 8080, "10.0.1.5", 40000, kTcpSynRecv);
  request.info.present = 0;
  auto summaries = Persisted(&pairs, [&](HostPairs* p) {
    p->AddSocket(kClientPod, client, {}, 100);
    p->AddRequest(kServerPod, request, true);
  });
  EXPECT_EQ(Count(summaries, kClientPod, Reason::kAcceptQueueOrphan), 1u);
}

TEST(HostPairs, TranslatedServiceAddressIsNotAVanishedPeer) {
  // The client sees the service address; the server sees the client.
  ExpectNeitherEndPeerMissing(End("10.0.1.5", 40000, "10.96.0.10", 80),
                              End("10.0.2.7", 8080, "10.0.1.5", 40000));
}

TEST(HostPairs, FreshConnectionIsNotFlagged) {
  HostPairs pairs{SuspicionConfig{}};
  SocketRecord client = End("10.0.1.5", 40000, "10.0.2.7", 8080);
  client.info.last_ack_recv_ms = 10;  // made while the tables were read
  auto summaries = Persisted(
      &pairs, [&](HostPairs* p) { p->AddSocket(kClientPod, client, {}, 100); });
  EXPECT_EQ(Count(summaries, kClientPod, Reason::kPeerMissing), 0u);
}

}  // namespace
}  // namespace halfopen
