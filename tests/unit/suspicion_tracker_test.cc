#include "model/suspicion_tracker.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <set>
#include <string>
#include <tuple>

#include "model/evidence.h"

namespace halfopen {
namespace {

SocketRecord End(const char* local, std::uint16_t local_port, const char* peer,
                 std::uint16_t peer_port,
                 std::uint8_t state = kTcpEstablished) {
  SocketRecord socket;
  socket.family = AF_INET;
  socket.state = state;
  socket.local_port = local_port;
  socket.peer_port = peer_port;
  inet_pton(AF_INET, local, socket.local_address.data());
  inet_pton(AF_INET, peer, socket.peer_address.data());
  socket.info.present = TcpInfo::kAll;
  socket.info.last_ack_recv_ms = 5000;  // the peer silent for 5 s
  socket.info.last_data_recv_ms = socket.info.last_data_sent_ms = 5000;
  static std::uint64_t next_cookie = 1;
  socket.cookie = next_cookie++;
  return socket;
}

// A dead peer's chain: `retransmits` RTOs at the minimum RTO, each
// unanswered, the peer silent for a minute.
void Stall(SocketRecord* socket, int retransmits) {
  socket->timer = kTimerRetransmit;
  socket->info.retransmits = static_cast<std::uint8_t>(retransmits);
  socket->info.rto_us = 200000u << retransmits;
  socket->info.last_ack_recv_ms = 60000;
}

SocketRecord ListenerSocket(const char* address, std::uint16_t port,
                            std::uint32_t length, std::uint32_t limit) {
  SocketRecord socket = End(address, port, "0.0.0.0", 0, kTcpListen);
  socket.rqueue = length;
  socket.wqueue = limit;
  return socket;
}

// The sockets of a walk, run through the tracker twice,
// kFullPersistenceSeconds apart, so that their evidence has persisted.
struct Walk {
  explicit Walk(SuspicionConfig config_in = {}) : config(config_in) {}

  void Add(const SocketRecord& socket) { sockets.push_back(socket); }

  SuspicionSummary Finish() {
    Once(0);
    return Once(kFullPersistenceSeconds);
  }

  SuspicionSummary Once(double now) {
    listeners = ListenerTable();
    SuspicionTracker tracker(config, {}, local, listeners, &pairs, &memory,
                             now);
    for (const SocketRecord& socket : sockets) {
      const Listener* listener = nullptr;
      if (socket.state == kTcpListen) listeners.AddListener(socket);
      if (socket.state == kTcpSynRecv) {
        listener = listeners.AttributeHandshake(socket);
      }
      tracker.OnSocket(socket, listener);
    }
    return tracker.Finish();
  }

  SuspicionConfig config;
  std::vector<SocketRecord> sockets;
  LocalAddresses local;
  LocalPairTable pairs;
  SuspicionMemory memory;
  ListenerTable listeners;
};

std::uint64_t Count(const SuspicionSummary& summary, Reason reason) {
  return summary.suspects[static_cast<std::size_t>(reason)];
}

TEST(SuspicionTracker, BothEndsPresentIsHealthy) {
  Walk walk;
  walk.Add(ListenerSocket("127.0.0.1", 80, 0, 128));
  walk.Add(End("127.0.0.1", 40000, "127.0.0.1", 80));
  walk.Add(End("127.0.0.1", 80, "127.0.0.1", 40000));
  const auto summary = walk.Finish();
  EXPECT_EQ(Count(summary, Reason::kPeerMissing), 0u);
  EXPECT_TRUE(summary.top.empty());
}

TEST(SuspicionTracker, EstablishedEndWithoutCounterpartIsPeerMissing) {
  Walk walk;
  walk.Add(ListenerSocket("127.0.0.1", 80, 0, 128));  // dumps list these first
  walk.Add(End("127.0.0.1", 40000, "127.0.0.1", 80));
  const auto summary = walk.Finish();
  EXPECT_EQ(Count(summary, Reason::kPeerMissing), 1u);
  ASSERT_EQ(summary.top.size(), 1u);
  EXPECT_EQ(summary.top[0].local_port, 40000);
  EXPECT_EQ(summary.top[0].peer_port, 80);
  EXPECT_EQ(summary.top[0].score, kLocalPeerGoneScore);
}

TEST(SuspicionTracker, CounterpartOnlyAnOrphanedRequestIsAcceptQueueOrphan) {
  Walk walk;
  walk.Add(ListenerSocket("127.0.0.1", 80, 2, 1));  // full
  SocketRecord request = End("127.0.0.1", 80, "127.0.0.1", 40000, kTcpSynRecv);
  request.info.present = 0;
  request.retrans = 2;
  walk.Add(request);
  SocketRecord client = End("127.0.0.1", 40000, "127.0.0.1", 80);
  client.info.last_ack_recv_ms = 100;  // just got a SYN-ACK again
  walk.Add(client);
  const auto summary = walk.Finish();
  EXPECT_EQ(Count(summary, Reason::kAcceptQueueOrphan), 1u);
  EXPECT_EQ(walk.listeners.listeners()[0].orphaned_handshakes, 1u);
}

TEST(SuspicionTracker, DoesNotFlagFreshOrForwardedConnections) {
  Walk walk;
  walk.Add(ListenerSocket("127.0.0.1", 80, 0, 128));
  SocketRecord fresh = End("127.0.0.1", 40000, "127.0.0.1", 80);
  fresh.info.last_ack_recv_ms = 10;  // created during the dump
  walk.Add(fresh);
  // A local peer address with no listener: DNAT elsewhere, not missing.
  walk.Add(End("127.0.0.1", 40001, "127.0.0.1", 8080));
  const auto summary = walk.Finish();
  EXPECT_EQ(Count(summary, Reason::kPeerMissing), 0u);
}

TEST(SuspicionTracker, SuspectsAgeWithTheirEvidenceOnEitherPath) {
  Walk walk;
  walk.Add(ListenerSocket("127.0.0.1", 80, 0, 128));
  walk.Add(End("127.0.0.1", 40000, "127.0.0.1", 80));  // a local pair
  SocketRecord remote = End("10.0.0.1", 1006, "192.0.2.1", 443);
  Stall(&remote, 6);
  walk.Add(remote);
  walk.Once(100);
  walk.Once(107);
  const auto summary = walk.Once(112.5);
  ASSERT_EQ(summary.top.size(), 2u);
  for (const Suspect& suspect : summary.top) {
    EXPECT_DOUBLE_EQ(suspect.age_seconds, 12.5) << suspect.local_port;
  }
}

TEST(SuspicionTracker, SuspectAgeStartsAgainWhenTheReasonChanges) {
  SuspicionConfig config;
  config.top_k = 1;
  Walk walk(config);
  SocketRecord socket = End("10.0.0.1", 1006, "192.0.2.1", 443);
  Stall(&socket, 6);
  walk.Add(socket);
  walk.Once(0);
  walk.Once(30);
  walk.sockets[0].timer = kTimerKeepalive;
  walk.sockets[0].info.probes = 5;
  walk.Once(40);
  const auto summary = walk.Once(43);
  ASSERT_EQ(summary.top.size(), 1u);
  EXPECT_EQ(summary.top[0].reason, Reason::kKeepaliveUnanswered);
  EXPECT_DOUBLE_EQ(summary.top[0].age_seconds, 3);
}

TEST(SuspicionTracker, RemotePeersAreScoredOnTheSpotAndTopKIsBounded) {
  SuspicionConfig config;
  config.top_k = 2;
  Walk walk(config);
  for (std::uint8_t r : {5, 6, 4, 3}) {
    SocketRecord socket =
        End("10.0.0.1", static_cast<std::uint16_t>(1000 + r), "192.0.2.1", 443);
    Stall(&socket, r);
    walk.Add(socket);
  }
  const auto summary = walk.Finish();
  EXPECT_EQ(Count(summary, Reason::kRetransmitStall), 3u);  // r=3 is < 0.5
  ASSERT_EQ(summary.top.size(), 2u);
  EXPECT_EQ(summary.top[0].local_port, 1006);
  EXPECT_EQ(summary.top[1].local_port, 1005);
  EXPECT_GT(summary.top[0].score, summary.top[1].score);
}

TEST(SuspicionTracker, CountsIdleUnprotectedBelowTheThreshold) {
  SuspicionConfig config;
  config.scoring.idle_threshold_seconds = 1;
  Walk walk(config);
  walk.Add(End("10.0.0.1", 5000, "192.0.2.1", 443));
  const auto summary = walk.Finish();
  EXPECT_EQ(summary.idle_unprotected, 1u);
  EXPECT_EQ(Count(summary, Reason::kIdleUnprotected), 0u);
}

// Two clients on different hosts that happen to use the same port: without
// addresses their suspect series would have the same labels.
void AddTwoStalledClients(Walk* walk) {
  for (const auto& [peer, retransmits] :
       {std::pair{"192.0.2.2", 4}, std::pair{"192.0.2.3", 6}}) {
    SocketRecord socket = End("10.0.0.1", 443, peer, 40123);
    Stall(&socket, retransmits);
    walk->Add(socket);
  }
}

TEST(SuspicionTracker, SuspectsSharingTheirLabelsAreFoldedIntoOneSeries) {
  Walk walk;
  AddTwoStalledClients(&walk);
  const auto summary = walk.Finish();
  EXPECT_EQ(Count(summary, Reason::kRetransmitStall), 2u);
  ASSERT_EQ(summary.top.size(), 1u);
  EXPECT_EQ(summary.top[0].connections, 2u);
  SocketRecord worst = End("10.0.0.1", 443, "192.0.2.3", 40123);
  Stall(&worst, 6);
  EXPECT_EQ(summary.top[0].score,
            RetransmitStallScore(worst, RoundTripLoss(kPriorOneWayLoss)));
}

TEST(SuspicionTracker, WithAddressesTheSameClientsStayApart) {
  SuspicionConfig config;
  config.keep_addresses = true;
  Walk walk(config);
  AddTwoStalledClients(&walk);
  const auto summary = walk.Finish();
  ASSERT_EQ(summary.top.size(), 2u);
  EXPECT_EQ(summary.top[0].connections, 1u);
  EXPECT_EQ(summary.top[1].connections, 1u);
  EXPECT_NE(summary.top[0].peer_address, summary.top[1].peer_address);
}

TEST(SuspicionTracker, HandshakeToALocalSilentListenerIsCounted) {
  Walk walk;
  walk.Add(ListenerSocket("127.0.0.1", 80, 2, 1));  // full: drops SYNs
  SocketRecord client = End("127.0.0.1", 40000, "127.0.0.1", 80, kTcpSynSent);
  client.retrans = 3;
  walk.Add(client);
  const auto summary = walk.Finish();
  EXPECT_EQ(Count(summary, Reason::kHandshakeStalled), 1u);
  ASSERT_EQ(summary.top.size(), 1u);
  EXPECT_EQ(summary.top[0].state, kTcpSynSent);
}

// Enough pairs that every one of the table's shards doubles several times:
// each end is visited once, with its own ports and addresses, and only the
// ends whose counterpart never came are judged peer_missing.
TEST(LocalPairTable, PairsSurviveGrowthWithTheirAddresses) {
  LocalPairTable table(/*keep_addresses=*/true);
  constexpr int kPairs = 40000;  // ports 1024.. on 127.0.0.1 and 127.0.1.x
  std::set<std::tuple<std::string, int, std::string, int>> lonely;
  for (int round = 0; round < 2; ++round) {
    table.Clear();
    lonely.clear();
    for (int n = 0; n < kPairs; ++n) {
      const std::string client = "127.0.1." + std::to_string(n % 200 + 1);
      const auto client_port = static_cast<std::uint16_t>(1024 + n / 200);
      const auto server_port = static_cast<std::uint16_t>(8000 + n % 7);
      table.AddSocket(
          End(client.c_str(), client_port, "127.0.0.1", server_port), Verdict{},
          60, /*peer_listens=*/true);
      if (n % 5 == 0) {  // its server end is gone
        lonely.insert({client, client_port, "127.0.0.1", server_port});
      } else {
        table.AddSocket(
            End("127.0.0.1", server_port, client.c_str(), client_port),
            Verdict{}, 60, /*peer_listens=*/false);
      }
    }
    std::size_t visited = 0;
    std::set<std::uint64_t> ids;
    std::set<std::tuple<std::string, int, std::string, int>> missing;
    table.Finish([&](const Suspect& end) {
      ++visited;
      ids.insert(end.id);
      if (end.reason != Reason::kPeerMissing) return;
      char local[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, end.local_address.data(), local, sizeof local);
      inet_ntop(AF_INET, end.peer_address.data(), peer, sizeof peer);
      missing.insert({local, end.local_port, peer, end.peer_port});
    });
    EXPECT_EQ(visited, static_cast<std::size_t>(kPairs * 2 - kPairs / 5));
    EXPECT_EQ(ids.size(), visited);
    EXPECT_EQ(missing, lonely) << "round " << round;
  }
}

TEST(LocalAddresses, LoopbackAlwaysAndInterfacesWhenAdded) {
  LocalAddresses local;
  std::array<std::uint8_t, 16> address{};
  inet_pton(AF_INET, "127.5.6.7", address.data());
  EXPECT_TRUE(local.Contains(AF_INET, address));
  inet_pton(AF_INET, "10.1.2.3", address.data());
  EXPECT_FALSE(local.Contains(AF_INET, address));
  local.Add(AF_INET, address.data());
  EXPECT_TRUE(local.Contains(AF_INET, address));
  std::array<std::uint8_t, 16> mapped{};
  inet_pton(AF_INET6, "::ffff:10.1.2.3", mapped.data());
  EXPECT_TRUE(local.Contains(AF_INET6, mapped));
}

}  // namespace
}  // namespace halfopen
