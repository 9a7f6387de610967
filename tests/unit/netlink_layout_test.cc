// The decoder's own copies of the kernel's wire layouts (decode/
// netlink_layout.h) and the model's family numbers, checked against the
// system's headers: the pure layers never include those headers themselves.

#include "decode/netlink_layout.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstring>
#include <vector>

#include "decode/inet_diag_parser.h"
#include "model/address.h"

namespace halfopen {
namespace {

#define SAME_FIELD(ours, field, theirs, their_field)                      \
  static_assert(offsetof(ours, field) == offsetof(theirs, their_field) && \
                sizeof(ours::field) == sizeof(theirs::their_field))

SAME_FIELD(wire::NetlinkHeader, length, nlmsghdr, nlmsg_len);
SAME_FIELD(wire::NetlinkHeader, type, nlmsghdr, nlmsg_type);
SAME_FIELD(wire::NetlinkHeader, flags, nlmsghdr, nlmsg_flags);
SAME_FIELD(wire::NetlinkHeader, sequence, nlmsghdr, nlmsg_seq);
SAME_FIELD(wire::NetlinkHeader, port_id, nlmsghdr, nlmsg_pid);
static_assert(sizeof(wire::NetlinkHeader) == sizeof(nlmsghdr));

SAME_FIELD(wire::AttributeHeader, length, rtattr, rta_len);
SAME_FIELD(wire::AttributeHeader, type, rtattr, rta_type);
static_assert(sizeof(wire::AttributeHeader) == sizeof(rtattr));

SAME_FIELD(wire::InetDiagMessage, family, inet_diag_msg, idiag_family);
SAME_FIELD(wire::InetDiagMessage, state, inet_diag_msg, idiag_state);
SAME_FIELD(wire::InetDiagMessage, timer, inet_diag_msg, idiag_timer);
SAME_FIELD(wire::InetDiagMessage, retrans, inet_diag_msg, idiag_retrans);
SAME_FIELD(wire::InetDiagMessage, source_port_be, inet_diag_msg,
           id.idiag_sport);
SAME_FIELD(wire::InetDiagMessage, destination_port_be, inet_diag_msg,
           id.idiag_dport);
SAME_FIELD(wire::InetDiagMessage, source, inet_diag_msg, id.idiag_src);
SAME_FIELD(wire::InetDiagMessage, destination, inet_diag_msg, id.idiag_dst);
SAME_FIELD(wire::InetDiagMessage, interface, inet_diag_msg, id.idiag_if);
SAME_FIELD(wire::InetDiagMessage, cookie, inet_diag_msg, id.idiag_cookie);
SAME_FIELD(wire::InetDiagMessage, expires, inet_diag_msg, idiag_expires);
SAME_FIELD(wire::InetDiagMessage, rqueue, inet_diag_msg, idiag_rqueue);
SAME_FIELD(wire::InetDiagMessage, wqueue, inet_diag_msg, idiag_wqueue);
SAME_FIELD(wire::InetDiagMessage, uid, inet_diag_msg, idiag_uid);
SAME_FIELD(wire::InetDiagMessage, inode, inet_diag_msg, idiag_inode);
static_assert(sizeof(wire::InetDiagMessage) == sizeof(inet_diag_msg));

SAME_FIELD(wire::UnixDiagMessage, family, unix_diag_msg, udiag_family);
SAME_FIELD(wire::UnixDiagMessage, type, unix_diag_msg, udiag_type);
SAME_FIELD(wire::UnixDiagMessage, state, unix_diag_msg, udiag_state);
SAME_FIELD(wire::UnixDiagMessage, inode, unix_diag_msg, udiag_ino);
SAME_FIELD(wire::UnixDiagMessage, cookie, unix_diag_msg, udiag_cookie);
static_assert(sizeof(wire::UnixDiagMessage) == sizeof(unix_diag_msg));
SAME_FIELD(wire::UnixDiagQueue, rqueue, unix_diag_rqlen, udiag_rqueue);
SAME_FIELD(wire::UnixDiagQueue, wqueue, unix_diag_rqlen, udiag_wqueue);
static_assert(sizeof(wire::UnixDiagQueue) == sizeof(unix_diag_rqlen));
static_assert(wire::kUnixDiagName == UNIX_DIAG_NAME);
static_assert(wire::kUnixDiagRqlen == UNIX_DIAG_RQLEN);

static_assert(wire::kNetlinkError == NLMSG_ERROR);
static_assert(wire::kNetlinkDone == NLMSG_DONE);
static_assert(wire::kTcpDiagGetSock == TCPDIAG_GETSOCK);
static_assert(wire::kSockDiagByFamily == SOCK_DIAG_BY_FAMILY);
static_assert(wire::kInetDiagInfo == INET_DIAG_INFO);
static_assert(wire::kInetDiagSkMemInfo == INET_DIAG_SKMEMINFO);
static_assert(wire::kSkMemInfoDrops == SK_MEMINFO_DROPS);
static_assert(kFamilyIpv4 == AF_INET && kFamilyIpv6 == AF_INET6);

#define SAME_TCPI(ours, field)                                     \
  static_assert(ours.offset == offsetof(struct tcp_info, field) && \
                ours.size == sizeof(((struct tcp_info*)nullptr)->field))

SAME_TCPI(wire::kTcpiRetransmits, tcpi_retransmits);
SAME_TCPI(wire::kTcpiProbes, tcpi_probes);
SAME_TCPI(wire::kTcpiRto, tcpi_rto);
SAME_TCPI(wire::kTcpiLastDataSent, tcpi_last_data_sent);
SAME_TCPI(wire::kTcpiLastDataRecv, tcpi_last_data_recv);
SAME_TCPI(wire::kTcpiLastAckRecv, tcpi_last_ack_recv);
SAME_TCPI(wire::kTcpiTotalRetrans, tcpi_total_retrans);
SAME_TCPI(wire::kTcpiDataSegsOut, tcpi_data_segs_out);

// The RTO counters of Linux 6.7, where the system's header has them. Older
// headers (Debian 12's stops at 232 bytes) do not: there the counters must
// start where that header's struct ends plus the fields 6.2 appended
// (tcpi_rcv_wnd, tcpi_rehash: 4 bytes each), as the 6.7 UAPI lays them
// out. The scenario tests read them from the running kernel too.
template <typename Info>
constexpr bool RtoCountersWhereTheHeaderPutsThem() {
  if constexpr (requires(Info i) { i.tcpi_total_rto_time; }) {
    return wire::kTcpiTotalRto.offset == offsetof(Info, tcpi_total_rto) &&
           wire::kTcpiTotalRto.size == sizeof(Info::tcpi_total_rto) &&
           wire::kTcpiTotalRtoRecoveries.offset ==
               offsetof(Info, tcpi_total_rto_recoveries) &&
           wire::kTcpiTotalRtoRecoveries.size ==
               sizeof(Info::tcpi_total_rto_recoveries) &&
           wire::kTcpiTotalRtoTime.offset ==
               offsetof(Info, tcpi_total_rto_time) &&
           wire::kTcpiTotalRtoTime.size == sizeof(Info::tcpi_total_rto_time);
  } else if constexpr (requires(Info i) { i.tcpi_rehash; }) {
    return wire::kTcpiTotalRto.offset ==
           offsetof(Info, tcpi_rehash) + sizeof(Info::tcpi_rehash);
  } else {
    return wire::kTcpiTotalRto.offset == sizeof(Info) + 8 &&
           sizeof(Info) == offsetof(Info, tcpi_snd_wnd) + 4;
  }
}
static_assert(RtoCountersWhereTheHeaderPutsThem<struct tcp_info>());
static_assert(wire::kTcpiTotalRto.size == 2 &&
              wire::kTcpiTotalRtoRecoveries.offset ==
                  wire::kTcpiTotalRto.offset + 2 &&
              wire::kTcpiTotalRtoRecoveries.size == 2 &&
              wire::kTcpiTotalRtoTime.offset ==
                  wire::kTcpiTotalRtoRecoveries.offset + 2 &&
              wire::kTcpiTotalRtoTime.size == 4 &&
              wire::kTcpiTotalRtoTime.offset + 4 == 248);

struct Kept : SocketVisitor {
  void OnSocket(const SocketRecord& socket) override {
    sockets.push_back(socket);
  }
  std::vector<SocketRecord> sockets;
};

// A message built with the system's own structs decodes field by field.
TEST(NetlinkLayout, MessageBuiltWithSystemStructsDecodesEveryField) {
  struct {
    nlmsghdr header;
    inet_diag_msg diag;
    rtattr attribute;
    struct tcp_info info;
  } message{};
  // Laid out back to back as the kernel sends them (the struct above pads
  // before tcp_info).
  const std::size_t length = sizeof message.header + sizeof message.diag +
                             sizeof message.attribute + sizeof message.info;
  message.header.nlmsg_len = length;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_seq = 5;
  message.header.nlmsg_pid = 6;
  message.diag.idiag_family = AF_INET6;
  message.diag.idiag_state = 1;
  message.diag.idiag_timer = 2;
  message.diag.idiag_retrans = 3;
  message.diag.id.idiag_sport = htons(443);
  message.diag.id.idiag_dport = htons(40123);
  message.diag.id.idiag_src[3] = htonl(1);
  message.diag.id.idiag_dst[0] = htonl(0xfe800000);
  message.diag.idiag_expires = 7000;
  message.diag.idiag_rqueue = 8;
  message.diag.idiag_wqueue = 9;
  message.attribute.rta_len = sizeof message.attribute + sizeof message.info;
  message.attribute.rta_type = INET_DIAG_INFO;
  message.info.tcpi_retransmits = 4;
  message.info.tcpi_probes = 2;
  message.info.tcpi_rto = 204000;
  message.info.tcpi_last_data_sent = 11;
  message.info.tcpi_last_data_recv = 12;
  message.info.tcpi_last_ack_recv = 13;
  message.info.tcpi_total_retrans = 14;
  message.info.tcpi_data_segs_out = 15;
  message.diag.id.idiag_cookie[0] = 0x89abcdef;
  message.diag.id.idiag_cookie[1] = 0x01234567;
  std::vector<std::uint8_t> bytes;
  for (const auto& [part, size] :
       std::initializer_list<std::pair<const void*, std::size_t>>{
           {&message.header, sizeof message.header},
           {&message.diag, sizeof message.diag},
           {&message.attribute, sizeof message.attribute},
           {&message.info, sizeof message.info}}) {
    const auto* begin = static_cast<const std::uint8_t*>(part);
    bytes.insert(bytes.end(), begin, begin + size);
  }
  ASSERT_EQ(bytes.size(), length);

  Kept kept;
  ParseCounts counts;
  DumpError error;
  ParseDiagDatagram(bytes, 5, 6, kept, &counts, &error);
  ASSERT_EQ(kept.sockets.size(), 1u);
  const SocketRecord& s = kept.sockets[0];
  EXPECT_EQ(s.family, kFamilyIpv6);
  EXPECT_EQ(s.state, 1);
  EXPECT_EQ(s.timer, 2);
  EXPECT_EQ(s.retrans, 3);
  EXPECT_EQ(s.local_port, 443);
  EXPECT_EQ(s.peer_port, 40123);
  EXPECT_EQ(FormatAddress(s.family, s.local_address), "::1");
  EXPECT_EQ(FormatAddress(s.family, s.peer_address), "fe80::");
  EXPECT_EQ(s.expires_ms, 7000u);
  EXPECT_EQ(s.rqueue, 8u);
  EXPECT_EQ(s.wqueue, 9u);
  // The RTO counters lie past a header older than Linux 6.7's struct.
  const std::uint16_t rto_counters = TcpInfo::kTotalRto |
                                     TcpInfo::kTotalRtoRecoveries |
                                     TcpInfo::kTotalRtoTime;
  EXPECT_EQ(s.info.present, sizeof message.info >= 248
                                ? TcpInfo::kAll
                                : TcpInfo::kAll & ~rto_counters);
  EXPECT_EQ(s.info.retransmits, 4);
  EXPECT_EQ(s.info.probes, 2);
  EXPECT_EQ(s.info.rto_us, 204000u);
  EXPECT_EQ(s.info.last_data_sent_ms, 11u);
  EXPECT_EQ(s.info.last_data_recv_ms, 12u);
  EXPECT_EQ(s.info.last_ack_recv_ms, 13u);
  EXPECT_EQ(s.info.total_retrans, 14u);
  EXPECT_EQ(s.info.data_segs_out, 15u);
  EXPECT_EQ(s.cookie, 0x0123456789abcdefu);
}

}  // namespace
}  // namespace halfopen
