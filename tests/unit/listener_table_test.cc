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

SocketRecord Member(std::uint32_t length, std::uint32_t limit,
                    std::uint32_t device = 0) {
  SocketRecord socket = Socket(AF_INET, "0.0.0.0", 443, kTcpListen);
  socket.rqueue = length;
  socket.wqueue = limit;
  socket.bound_interface = device;
  return socket;
}

TEST(ListenerTable, ReuseportSocketsFormOneGroupThatTakesTheHandshakes) {
  ListenerTable table;
  table.AddListener(Member(0, 64));
  table.AddListener(Member(5, 4));  // full: holds limit + 1
  table.AddListener(Member(3, 16));
  table.AttributeHandshake(Handshake(AF_INET, "1.2.3.4", 443, 1));
  ASSERT_EQ(table.listeners().size(), 1u);
  const Listener& group = table.listeners()[0];
  EXPECT_EQ(group.sockets, 3u);
  EXPECT_EQ(group.queue_length, 8u);
  EXPECT_EQ(group.queue_limit, 84u);
  EXPECT_EQ(group.max_fill, 1.0);  // the full member, not 8 / 85
  EXPECT_TRUE(group.QueueFull());
  EXPECT_EQ(group.syn_recv, 1u);
  EXPECT_EQ(group.orphaned_handshakes, 1u);
}

TEST(ListenerTable, IdleGroupIsNotFull) {
  ListenerTable table;
  table.AddListener(Member(1, 1));  // one of two places taken
  table.AddListener(Member(0, 0));
  EXPECT_DOUBLE_EQ(table.listeners()[0].max_fill, 0.5);
  EXPECT_FALSE(table.listeners()[0].QueueFull());
}

TEST(ListenerTable, SocketsBoundToDifferentDevicesAreDifferentListeners) {
  ListenerTable table;
  table.AddListener(Member(0, 8, 2));
  table.AddListener(Member(0, 8, 3));
  table.AddListener(Member(0, 8, 2));
  table.AddListener(Member(0, 8));
  ASSERT_EQ(table.listeners().size(), 3u);
  EXPECT_EQ(table.listeners()[0].device, 2u);
  EXPECT_EQ(table.listeners()[0].sockets, 2u);
  EXPECT_EQ(table.listeners()[1].device, 3u);
  EXPECT_EQ(table.listeners()[2].device, 0u);
}

}  // namespace
}  // namespace halfopen
