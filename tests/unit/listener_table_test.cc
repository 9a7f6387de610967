#include "model/listener_table.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

namespace halfopen {
namespace {

SocketRecord Socket(int family, const char* address, std::uint16_t port,
                    std::uint8_t state) {
  SocketRecord socket;
  socket.family = static_cast<std::uint8_t>(family);
  socket.state = state;
  socket.local_port = port;
  inet_pton(family, address, socket.local_address.data());
  return socket;
}

SocketRecord Handshake(int family, const char* address, std::uint16_t port,
                       std::uint8_t retrans) {
  SocketRecord socket = Socket(family, address, port, kTcpSynRecv);
  socket.timer = kTimerRetransmit;
  socket.retrans = retrans;
  return socket;
}

TEST(ListenerTable, TakesQueueLengthAndLimitFromRqueueAndWqueue) {
  ListenerTable table;
  SocketRecord listener = Socket(AF_INET, "127.0.0.1", 80, kTcpListen);
  listener.rqueue = 2;
  listener.wqueue = 1;
  table.AddListener(listener);
  ASSERT_EQ(table.listeners().size(), 1u);
  EXPECT_EQ(table.listeners()[0].queue_length, 2u);
  EXPECT_EQ(table.listeners()[0].queue_limit, 1u);
}

TEST(ListenerTable, AttributesToTheMostSpecificListener) {
  ListenerTable table;
  table.AddListener(Socket(AF_INET6, "::", 80, kTcpListen));
  table.AddListener(Socket(AF_INET, "0.0.0.0", 80, kTcpListen));
  table.AddListener(Socket(AF_INET, "10.0.0.1", 80, kTcpListen));
  table.AddListener(Socket(AF_INET6, "::ffff:10.0.0.2", 80, kTcpListen));
  table.AddListener(Socket(AF_INET, "10.0.0.1", 81, kTcpListen));

  table.AttributeHandshake(Handshake(AF_INET, "10.0.0.1", 80, 0));  // exact
  table.AttributeHandshake(Handshake(AF_INET, "10.0.0.2", 80, 1));  // mapped
  table.AttributeHandshake(Handshake(AF_INET, "10.0.0.3", 80, 2));  // 0.0.0.0
  table.AttributeHandshake(Handshake(AF_INET6, "fe80::1", 80, 0));  // ::
  const auto& l = table.listeners();
  EXPECT_EQ(l[2].syn_recv, 1u);
  EXPECT_EQ(l[3].syn_recv, 1u);
  EXPECT_EQ(l[3].syn_recv_retransmitting, 1u);
  EXPECT_EQ(l[1].syn_recv, 1u);
  EXPECT_EQ(l[1].syn_recv_retransmitting, 1u);
  EXPECT_EQ(l[0].syn_recv, 1u);
  EXPECT_EQ(l[0].syn_recv_retransmitting, 0u);
  EXPECT_EQ(l[4].syn_recv, 0u);
  EXPECT_EQ(table.unattributed(), 0u);
}

TEST(ListenerTable, DualStackWildcardTakesIpv4WhenNoIpv4ListenerMatches) {
  ListenerTable table;
  table.AddListener(Socket(AF_INET6, "::", 8080, kTcpListen));
  table.AttributeHandshake(Handshake(AF_INET, "127.0.0.1", 8080, 3));
  EXPECT_EQ(table.listeners()[0].syn_recv, 1u);
  EXPECT_EQ(table.listeners()[0].syn_recv_retransmitting, 1u);
}

TEST(ListenerTable, Ipv4WildcardNeverTakesIpv6) {
  ListenerTable table;
  table.AddListener(Socket(AF_INET, "0.0.0.0", 80, kTcpListen));
  table.AttributeHandshake(Handshake(AF_INET6, "::1", 80, 0));
  EXPECT_EQ(table.listeners()[0].syn_recv, 0u);
  EXPECT_EQ(table.unattributed(), 1u);
}

TEST(ListenerTable, HandshakeWithoutListenerIsUnattributed) {
  ListenerTable table;
  table.AddListener(Socket(AF_INET, "127.0.0.1", 80, kTcpListen));
  table.AttributeHandshake(Handshake(AF_INET, "127.0.0.2", 80, 0));
  table.AttributeHandshake(Handshake(AF_INET, "127.0.0.1", 81, 0));
  EXPECT_EQ(table.unattributed(), 2u);
}

TEST(ListenerTable, ReuseportGroupGivesHandshakesToTheFirstListener) {
  ListenerTable table;
  for (int i = 0; i < 3; ++i) {
    table.AddListener(Socket(AF_INET, "0.0.0.0", 443, kTcpListen));
  }
  table.AttributeHandshake(Handshake(AF_INET, "1.2.3.4", 443, 0));
  EXPECT_EQ(table.listeners()[0].syn_recv, 1u);
  EXPECT_EQ(table.listeners()[1].syn_recv + table.listeners()[2].syn_recv, 0u);
}

}  // namespace
}  // namespace halfopen
