#include "decode/inet_diag_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/tcp.h>
#include <sys/socket.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "sources/socket_walk.h"
#include "tests/unit/diag_bytes.h"

namespace halfopen {
namespace {

using testing::Bytes;
using testing::LoadRecording;
using testing::RecordedDatagram;

using Collector = testing::SocketCollector;
using Parsed = testing::DecodedDump;

Parsed ParseAll(const std::vector<RecordedDatagram>& datagrams) {
  return testing::DecodeDatagrams(datagrams);
}

// ss's own view of the recorded namespace: sockets per state name.
std::map<std::string, int> SsStateCounts() {
  std::ifstream in(std::string(HALFOPEN_SOURCE_DIR) +
                   "/tests/fixtures/sockdiag/linux-6.18-ss.txt");
  std::map<std::string, int> counts;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string state;
    fields >> state;
    ++counts[state];
  }
  return counts;
}

std::map<std::string, int> StateCounts(
    const std::vector<SocketRecord>& sockets) {
  static const std::map<int, std::string> kSsNames = {
      {kTcpEstablished, "ESTAB"},
      {kTcpSynSent, "SYN-SENT"},
      {kTcpListen, "LISTEN"},
      {kTcpSynRecv, "SYN-RECV"}};
  std::map<std::string, int> counts;
  for (const auto& socket : sockets) ++counts[kSsNames.at(socket.state)];
  return counts;
}

const SocketRecord* FindListener(const std::vector<SocketRecord>& sockets,
                                 std::uint16_t port) {
  for (const auto& socket : sockets) {
    if (socket.state == kTcpListen && socket.local_port == port) return &socket;
  }
  return nullptr;
}

TEST(InetDiagParser, RecordedLegacyDumpMatchesWhatSsSaw) {
  const Parsed parsed = ParseAll(LoadRecording("linux-6.18-legacy.diag"));
  EXPECT_EQ(parsed.end, DatagramEnd::kDone) << parsed.error.error_number;
  EXPECT_EQ(parsed.counts.malformed, 0u);
  EXPECT_EQ(parsed.counts.sockets, parsed.sockets.size());
  EXPECT_EQ(StateCounts(parsed.sockets), SsStateCounts());
}

TEST(InetDiagParser, PerFamilyDumpHasTheSameSockets) {
  auto key = [](const std::vector<SocketRecord>& sockets) {
    std::multiset<std::tuple<int, int, int, int>> keys;
    for (const auto& s : sockets) {
      keys.insert({s.family, s.state, s.local_port, s.peer_port});
    }
    return keys;
  };
  const Parsed legacy = ParseAll(LoadRecording("linux-6.18-legacy.diag"));
  const Parsed per_family =
      ParseAll(LoadRecording("linux-6.18-per-family.diag"));
  EXPECT_EQ(per_family.end, DatagramEnd::kDone)
      << per_family.error.error_number;
  EXPECT_EQ(key(legacy.sockets), key(per_family.sockets));
}

TEST(InetDiagParser, ListenerQueueIsRqueueAndLimitIsWqueue) {
  const Parsed parsed = ParseAll(LoadRecording("linux-6.18-legacy.diag"));
  const SocketRecord* full = FindListener(parsed.sockets, 40001);
  ASSERT_NE(full, nullptr);
  EXPECT_EQ(full->rqueue, 2u);  // listen(fd, 1) holds limit + 1
  EXPECT_EQ(full->wqueue, 1u);
  EXPECT_EQ(full->family, AF_INET);
  const std::uint8_t loopback[4] = {127, 0, 0, 1};
  EXPECT_TRUE(std::equal(loopback, loopback + 4, full->local_address.begin()));
  const SocketRecord* dual = FindListener(parsed.sockets, 40002);
  ASSERT_NE(dual, nullptr);
  EXPECT_EQ(dual->family, AF_INET6);
  EXPECT_EQ(dual->wqueue, 10u);
}

// What `ss -tlnm` saw of the recorded listeners: (port, sk_drops) per LISTEN
// socket, from its skmem's d field.
std::multiset<std::pair<int, std::uint32_t>> SsListenerDrops() {
  std::ifstream in(std::string(HALFOPEN_SOURCE_DIR) +
                   "/tests/fixtures/sockdiag/linux-6.18-listeners-ss.txt");
  std::multiset<std::pair<int, std::uint32_t>> drops;
  std::string line;
  int port = -1;
  while (std::getline(in, line)) {
    if (line.rfind("LISTEN", 0) == 0) {
      std::istringstream fields(line);
      std::string state, recv, send, local;
      fields >> state >> recv >> send >> local;
      port = std::stoi(local.substr(local.rfind(':') + 1));
    } else if (const auto d = line.find(",d"); d != std::string::npos) {
      drops.insert(
          {port, static_cast<std::uint32_t>(std::stoul(line.substr(d + 2)))});
    }
  }
  return drops;
}

TEST(InetDiagParser, ListenersDumpCarriesEachSocketsDropsAsSsShowsThem) {
  const Parsed parsed = ParseAll(LoadRecording("linux-6.18-listeners.diag"));
  EXPECT_EQ(parsed.end, DatagramEnd::kDone) << parsed.error.error_number;
  EXPECT_EQ(parsed.counts.malformed, 0u);
  std::multiset<std::pair<int, std::uint32_t>> drops;
  for (const SocketRecord& socket : parsed.sockets) {
    EXPECT_EQ(socket.state, kTcpListen);
    ASSERT_TRUE(socket.drops.has_value()) << socket.local_port;
    drops.insert({socket.local_port, *socket.drops});
  }
  const auto seen_by_ss = SsListenerDrops();
  ASSERT_EQ(seen_by_ss.size(), 4u);  // The reuseport pair, a full, an idle.
  EXPECT_EQ(drops, seen_by_ss);
  // A listeners' dump asks for the memory counters, not tcp_info.
  for (const SocketRecord& socket : parsed.sockets) {
    EXPECT_EQ(socket.info.present, 0) << socket.local_port;
  }
}

TEST(InetDiagParser, DumpWithoutMemoryCountersHasNoDrops) {
  const Parsed parsed = ParseAll(LoadRecording("linux-6.18-legacy.diag"));
  ASSERT_FALSE(parsed.sockets.empty());
  for (const SocketRecord& socket : parsed.sockets) {
    EXPECT_FALSE(socket.drops.has_value()) << socket.local_port;
  }
}

TEST(InetDiagParser, MemoryCountersEndingBeforeDropsLeaveThemAbsent) {
  // The listeners' recording with its SKMEMINFO cut to 8 values (a kernel
  // before SK_MEMINFO_DROPS): the attribute shrinks, and so do the message
  // and the datagram around it.
  auto datagrams = LoadRecording("linux-6.18-listeners.diag");
  for (auto& datagram : datagrams) {
    std::vector<Bytes> messages = testing::SplitMessages(datagram.bytes);
    for (Bytes& message : messages) {
      if (message.size() < sizeof(nlmsghdr) + sizeof(inet_diag_msg)) continue;
      message = testing::WithAttributeLength(message, INET_DIAG_SKMEMINFO,
                                             8 * sizeof(std::uint32_t));
    }
    datagram.bytes = testing::JoinMessages(messages);
  }
  const Parsed parsed = ParseAll(datagrams);
  EXPECT_EQ(parsed.counts.malformed, 0u);
  ASSERT_EQ(parsed.sockets.size(), 4u);
  for (const SocketRecord& socket : parsed.sockets) {
    EXPECT_FALSE(socket.drops.has_value()) << socket.local_port;
    EXPECT_EQ(socket.state, kTcpListen);
  }
}

TEST(InetDiagParser, DualStackChildArrivesAsV4MappedIpv6) {
  const Parsed parsed = ParseAll(LoadRecording("linux-6.18-legacy.diag"));
  int mapped = 0;
  for (const auto& s : parsed.sockets) {
    if (s.state == kTcpEstablished && s.local_port == 40002 &&
        s.family == AF_INET6 && s.local_address[10] == 0xff &&
        s.local_address[11] == 0xff && s.local_address[12] == 127) {
      ++mapped;
    }
  }
  EXPECT_EQ(mapped, 1);
}

TEST(InetDiagParser, KeepaliveClientShowsKeepaliveTimer) {
  const Parsed parsed = ParseAll(LoadRecording("linux-6.18-legacy.diag"));
  int keepalive = 0;
  for (const auto& s : parsed.sockets) {
    if (s.peer_port == 40003) {
      EXPECT_EQ(s.timer, kTimerKeepalive);
      EXPECT_GT(s.expires_ms, 50000u);  // TCP_KEEPIDLE 60 s
      ++keepalive;
    }
  }
  EXPECT_EQ(keepalive, 1);
}

TEST(InetDiagParser, LongerTcpInfoThanOursIsAcceptedAndCut) {
  // Linux 6.18 sends 280 bytes of tcp_info; Debian 12's headers know 232.
  const Parsed parsed = ParseAll(LoadRecording("linux-6.18-legacy.diag"));
  for (const auto& s : parsed.sockets) {
    if (s.state == kTcpSynRecv) continue;  // Request sockets carry none.
    EXPECT_EQ(s.info.present, TcpInfo::kAll);
    EXPECT_TRUE(s.info.Has(TcpInfo::kLastAckRecv));
  }
}

// Rewrites message `index` of the first datagram with `edit`.
std::vector<RecordedDatagram> EditFirstDatagram(
    std::size_t index, const std::function<void(std::vector<Bytes>*)>& edit) {
  auto datagrams = LoadRecording("linux-6.18-legacy.diag");
  auto messages = testing::SplitMessages(datagrams[0].bytes);
  EXPECT_GT(messages.size(), index);
  edit(&messages);
  datagrams[0].bytes = testing::JoinMessages(messages);
  return datagrams;
}

TEST(InetDiagParser, ShorterTcpInfoMarksLaterFieldsAbsentNotZero) {
  // Cut just after tcpi_last_data_sent, before tcpi_last_data_recv.
  const std::size_t cut = offsetof(::tcp_info, tcpi_last_ack_sent);
  const auto datagrams = EditFirstDatagram(0, [&](std::vector<Bytes>* m) {
    (*m)[0] = testing::WithInfoLength((*m)[0], cut);
  });
  const Parsed parsed = ParseAll(datagrams);
  EXPECT_EQ(parsed.counts.malformed, 0u);
  const SocketRecord& old = parsed.sockets[0];
  EXPECT_TRUE(old.info.Has(TcpInfo::kRetransmits));
  EXPECT_TRUE(old.info.Has(TcpInfo::kLastDataSent));
  EXPECT_FALSE(old.info.Has(TcpInfo::kLastDataRecv));
  EXPECT_FALSE(old.info.Has(TcpInfo::kLastAckRecv));
  EXPECT_EQ(old.info.last_ack_recv_ms, 0u);
}

// Where the INET_DIAG_INFO payload of a message starts (0 if none).
std::size_t InfoPayloadOffset(const Bytes& message) {
  std::size_t offset = sizeof(nlmsghdr) + NLMSG_ALIGN(sizeof(inet_diag_msg));
  while (offset + sizeof(rtattr) <= message.size()) {
    rtattr attribute;
    std::memcpy(&attribute, message.data() + offset, sizeof attribute);
    if (attribute.rta_len < sizeof attribute) return 0;
    if (attribute.rta_type == INET_DIAG_INFO) return offset + sizeof attribute;
    offset += RTA_ALIGN(attribute.rta_len);
  }
  return 0;
}

TEST(InetDiagParser, RtoCountersArePresentFrom248BytesOfTcpInfoOnly) {
  // Linux 6.2-6.6 send 240 bytes; 6.7 appended tcpi_total_rto (u16),
  // tcpi_total_rto_recoveries (u16) and tcpi_total_rto_time (u32).
  const std::uint8_t counters[] = {0x34, 0x12, 0x07, 0x00,
                                   0x88, 0x13, 0x00, 0x00};
  for (const std::size_t length : {std::size_t{240}, std::size_t{248}}) {
    const auto datagrams = EditFirstDatagram(0, [&](std::vector<Bytes>* m) {
      Bytes& message = (*m)[0];
      message = testing::WithInfoLength(message, length);
      const std::size_t info = InfoPayloadOffset(message);
      ASSERT_NE(info, 0u);
      if (length == 248) {
        std::memcpy(message.data() + info + 240, counters, sizeof counters);
      }
    });
    const Parsed parsed = ParseAll(datagrams);
    ASSERT_FALSE(parsed.sockets.empty());
    const TcpInfo& info = parsed.sockets[0].info;
    EXPECT_TRUE(info.Has(TcpInfo::kDataSegsOut)) << length;
    if (length == 240) {
      EXPECT_FALSE(info.Has(TcpInfo::kTotalRto));
      EXPECT_FALSE(info.Has(TcpInfo::kTotalRtoRecoveries));
      EXPECT_FALSE(info.Has(TcpInfo::kTotalRtoTime));
      EXPECT_EQ(info.total_rto, 0u);
      continue;
    }
    EXPECT_EQ(info.present, TcpInfo::kAll);
    EXPECT_EQ(info.total_rto, 0x1234u);
    EXPECT_EQ(info.total_rto_recoveries, 7u);
    EXPECT_EQ(info.total_rto_time_ms, 5000u);
  }
}

TEST(InetDiagParser, FutureLongerTcpInfoIsAccepted) {
  const auto datagrams = EditFirstDatagram(0, [](std::vector<Bytes>* m) {
    (*m)[0] = testing::WithInfoLength((*m)[0], 400);
  });
  const Parsed parsed = ParseAll(datagrams);
  EXPECT_EQ(parsed.counts.malformed, 0u);
  EXPECT_EQ(parsed.sockets[0].info.present, TcpInfo::kAll);
}

TEST(InetDiagParser, AttributeOverrunningItsMessageSkipsOnlyThatSocket) {
  const Parsed whole = ParseAll(LoadRecording("linux-6.18-legacy.diag"));
  const auto datagrams = EditFirstDatagram(1, [](std::vector<Bytes>* m) {
    Bytes& message = (*m)[1];
    const std::size_t first_attribute =
        sizeof(nlmsghdr) + sizeof(inet_diag_msg);
    const std::uint16_t huge = 0xfff0;
    std::memcpy(message.data() + first_attribute, &huge, 2);
  });
  const Parsed parsed = ParseAll(datagrams);
  EXPECT_EQ(parsed.counts.malformed, 1u);
  EXPECT_EQ(parsed.sockets.size(), whole.sockets.size() - 1);
  EXPECT_EQ(parsed.end, DatagramEnd::kDone);
}

TEST(InetDiagParser, TruncatedDiagMessageIsSkippedAndTheRestUsed) {
  const Parsed whole = ParseAll(LoadRecording("linux-6.18-legacy.diag"));
  const auto datagrams = EditFirstDatagram(2, [](std::vector<Bytes>* m) {
    Bytes& message = (*m)[2];
    message.resize(sizeof(nlmsghdr) + 40);  // half an inet_diag_msg
    testing::SetHeaderWord(&message, 0,
                           static_cast<std::uint32_t>(message.size()));
  });
  const Parsed parsed = ParseAll(datagrams);
  EXPECT_EQ(parsed.counts.malformed, 1u);
  EXPECT_EQ(parsed.counts.cut_short, 0u);  // One socket lost, not the rest.
  EXPECT_EQ(parsed.sockets.size(), whole.sockets.size() - 1);
}

TEST(InetDiagParser, DatagramCutMidMessageKeepsTheSocketsBeforeIt) {
  auto datagrams = LoadRecording("linux-6.18-legacy.diag");
  const auto messages = testing::SplitMessages(datagrams[0].bytes);
  const std::size_t keep = messages[0].size() + messages[1].size();
  datagrams[0].bytes.resize(keep + 30);  // message 3 cut after 30 bytes
  Collector collector;
  ParseCounts counts;
  DumpError error;
  EXPECT_EQ(
      ParseDiagDatagram(datagrams[0].bytes, datagrams[0].id.sequence,
                        datagrams[0].id.port_id, collector, &counts, &error),
      DatagramEnd::kMore);
  EXPECT_EQ(collector.sockets.size(), 2u);
  EXPECT_EQ(counts.malformed, 1u);
  EXPECT_EQ(counts.cut_short, 1u);  // The walk then fails: sockets are lost.
}

TEST(InetDiagParser, ShortHeaderAtTheEndIsCounted) {
  auto datagrams = LoadRecording("linux-6.18-legacy.diag");
  const auto messages = testing::SplitMessages(datagrams[0].bytes);
  datagrams[0].bytes.resize(messages[0].size() + 8);
  Collector collector;
  ParseCounts counts;
  DumpError error;
  ParseDiagDatagram(datagrams[0].bytes, datagrams[0].id.sequence,
                    datagrams[0].id.port_id, collector, &counts, &error);
  EXPECT_EQ(collector.sockets.size(), 1u);
  EXPECT_EQ(counts.malformed, 1u);
  EXPECT_EQ(counts.cut_short, 1u);
}

TEST(InetDiagParser, UnknownStateAndTimerArePassedThrough) {
  const auto datagrams = EditFirstDatagram(0, [](std::vector<Bytes>* m) {
    testing::SetDiagByte(&(*m)[0], 1, 99);  // idiag_state
    testing::SetDiagByte(&(*m)[0], 2, 5);   // idiag_timer: delayed ACK
  });
  const Parsed parsed = ParseAll(datagrams);
  EXPECT_EQ(parsed.counts.malformed, 0u);
  EXPECT_EQ(parsed.sockets[0].state, 99);
  EXPECT_EQ(parsed.sockets[0].timer, 5);
}

TEST(InetDiagParser, MessagesOfAnotherRequestAreSkippedAndCounted) {
  const auto datagrams = EditFirstDatagram(0, [](std::vector<Bytes>* m) {
    testing::SetHeaderWord(&(*m)[0], 8, 4242);   // nlmsg_seq
    testing::SetHeaderWord(&(*m)[1], 12, 4242);  // nlmsg_pid
  });
  const Parsed whole = ParseAll(LoadRecording("linux-6.18-legacy.diag"));
  const Parsed parsed = ParseAll(datagrams);
  EXPECT_EQ(parsed.counts.foreign, 2u);
  EXPECT_EQ(parsed.sockets.size(), whole.sockets.size() - 2);
}

TEST(InetDiagParser, NetlinkErrorNamesTheErrno) {
  struct {
    nlmsghdr header;
    nlmsgerr error;
  } reply{};
  reply.header.nlmsg_len = sizeof reply;
  reply.header.nlmsg_type = NLMSG_ERROR;
  reply.header.nlmsg_seq = 7;
  reply.error.error = -ENOENT;
  Bytes bytes(sizeof reply);
  std::memcpy(bytes.data(), &reply, sizeof reply);
  Collector collector;
  ParseCounts counts;
  std::string error;
  EXPECT_EQ(ParsingHandler(&collector, &counts, &error)(bytes, {7, 0}),
            DatagramVerdict::kFail);
  EXPECT_EQ(error, "the kernel answered ENOENT (No such file or directory)");
}

// Found by tests/fuzz/inet_diag_fuzz and recording_fuzz: a status of -2^31
// was negated, which overflows an int (UBSan: undefined behaviour).
TEST(InetDiagParser, DoneWithTheLowestStatusIsAnErrorWithoutOverflow) {
  // The fuzzer's reproducer: a DONE whose status is 0x80000000.
  const Bytes bytes = {0x14, 0, 0,    0,    3, 0, 2, 0, 1, 0,
                       0,    0, 0xa4, 0x25, 0, 0, 0, 0, 0, 0x80};
  Collector collector;
  ParseCounts counts;
  std::string error;
  EXPECT_EQ(ParsingHandler(&collector, &counts, &error)(bytes, {1, 0x25a4}),
            DatagramVerdict::kFail);
  EXPECT_EQ(error,
            "the dump ended with errno 2147483647 (Unknown error 2147483647)");
}

TEST(InetDiagParser, DoneCarryingAnErrorIsAnError) {
  struct {
    nlmsghdr header;
    int status;
  } reply{};
  reply.header.nlmsg_len = sizeof reply;
  reply.header.nlmsg_type = NLMSG_DONE;
  reply.status = -EINTR;
  Bytes bytes(sizeof reply);
  std::memcpy(bytes.data(), &reply, sizeof reply);
  Collector collector;
  ParseCounts counts;
  std::string error;
  EXPECT_EQ(ParsingHandler(&collector, &counts, &error)(bytes, {0, 0}),
            DatagramVerdict::kFail);
  EXPECT_EQ(error, "the dump ended with EINTR (Interrupted system call)");
}

}  // namespace
}  // namespace halfopen
