// inet_diag payloads as each kernel the exporter meets sends them, made from
// real recordings (tests/fixtures/sockdiag/: Linux 6.18, and Debian 12's 6.1
// booted by tests/kernels/run.sh). Older kernels are derived by cutting the
// recorded tcp_info to their struct's length and removing the attributes
// they do not send: the decoder must give the same answer for every field it
// reads, and mark what a short payload lacks as absent, not zero.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

#include <cctype>
#include <cstddef>
#include <cstring>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "decode/inet_diag_parser.h"
#include "model/socket_stats.h"
#include "model/suspicion.h"
#include "tests/unit/diag_bytes.h"

namespace halfopen {
namespace {

using testing::Bytes;
using testing::LoadRecording;
using testing::RecordedDatagram;

// Where a field of struct tcp_info ends, from the system's <linux/tcp.h>.
#define TCP_INFO_END(field) \
  (offsetof(::tcp_info, field) + sizeof(::tcp_info::field))

// A field the decoder reads: in which attribute, where it ends there, and
// how the decoded record shows it. A field the decoder learns to read is
// one more row.
struct FieldRow {
  const char* name;
  std::uint16_t attribute;  // INET_DIAG_INFO, INET_DIAG_SKMEMINFO, ...
  std::size_t end;          // offset + size within the attribute's payload
  bool (*present)(const SocketRecord&);
  std::uint64_t (*value)(const SocketRecord&);
};

#define INFO_ROW(field, bit, member)                                  \
  FieldRow {                                                          \
#field, INET_DIAG_INFO, TCP_INFO_END(field),                        \
        [](const SocketRecord& s) { return s.info.Has(TcpInfo::bit); }, \
        [](const SocketRecord& s) {                                     \
          return static_cast<std::uint64_t>(s.info.member);             \
        } \
  }

#define RAW_INFO_ROW(field, offset, size, bit, member)                \
  FieldRow {                                                          \
#field, INET_DIAG_INFO, (offset) + (size),                          \
        [](const SocketRecord& s) { return s.info.Has(TcpInfo::bit); }, \
        [](const SocketRecord& s) {                                     \
          return static_cast<std::uint64_t>(s.info.member);             \
        } \
  }

const FieldRow kFields[] = {
    INFO_ROW(tcpi_retransmits, kRetransmits, retransmits),
    INFO_ROW(tcpi_probes, kProbes, probes),
    INFO_ROW(tcpi_rto, kRto, rto_us),
    INFO_ROW(tcpi_last_data_sent, kLastDataSent, last_data_sent_ms),
    INFO_ROW(tcpi_last_data_recv, kLastDataRecv, last_data_recv_ms),
    INFO_ROW(tcpi_last_ack_recv, kLastAckRecv, last_ack_recv_ms),
    INFO_ROW(tcpi_total_retrans, kTotalRetrans, total_retrans),
    INFO_ROW(tcpi_data_segs_out, kDataSegsOut, data_segs_out),
    // Linux 6.7's fields, which Debian 12's <linux/tcp.h> lacks: where that
    // kernel's include/uapi/linux/tcp.h puts them, after tcpi_rcv_wnd.
    RAW_INFO_ROW(tcpi_total_rto, 240, 2, kTotalRto, total_rto),
    RAW_INFO_ROW(tcpi_total_rto_recoveries, 242, 2, kTotalRtoRecoveries,
                 total_rto_recoveries),
    RAW_INFO_ROW(tcpi_total_rto_time, 244, 4, kTotalRtoTime, total_rto_time_ms),
    // sk_drops: the 9th u32 of INET_DIAG_SKMEMINFO (SK_MEMINFO_DROPS).
    FieldRow{"sk_drops", INET_DIAG_SKMEMINFO,
             (SK_MEMINFO_DROPS + 1) * sizeof(std::uint32_t),
             [](const SocketRecord& s) { return s.drops.has_value(); },
             [](const SocketRecord& s) {
               return static_cast<std::uint64_t>(s.drops.value_or(0));
             }},
};

// tcp_info's length by kernel (each kernel sends exactly its own struct;
// RHEL backports fields, so the length is what counts, not the version).
struct InfoSize {
  const char* kernels;
  std::size_t bytes;
};
constexpr InfoSize kInfoSizes[] = {
    // Older than the exporter supports, but the shortest tcp_info there is
    // (it ends at tcpi_total_retrans): tcpi_data_segs_out (4.6) is absent.
    {"3.10 to 3.14", 104}, {"4.18", 200},       {"4.19", 224},
    {"5.4 to 6.1", 232},   {"6.2 to 6.6", 240}, {"6.7 to 6.17", 248},
    {"6.18", 280},
};

// Attributes a kernel may leave out: CGROUP_ID before 5.8, SOCKOPT before
// 5.10, SKMEMINFO unless asked for.
constexpr std::uint16_t kOptional[] = {INET_DIAG_CGROUP_ID, INET_DIAG_SOCKOPT,
                                       INET_DIAG_SKMEMINFO};

struct Variant {
  std::string recording;
  std::size_t info_bytes;
  unsigned removed;  // Bit i: kOptional[i] taken out.
};

void PrintTo(const Variant& variant, std::ostream* out) {
  *out << variant.recording << ", tcp_info " << variant.info_bytes
       << " bytes, removed mask " << variant.removed;
}

std::string Name(const ::testing::TestParamInfo<Variant>& info) {
  std::string name = info.param.recording.substr(
      0, info.param.recording.find('.', info.param.recording.find('.') + 1));
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  name += "_info" + std::to_string(info.param.info_bytes);
  const char* kNames[] = {"_nocgroup", "_nosockopt", "_noskmem"};
  for (unsigned i = 0; i < std::size(kOptional); ++i) {
    if (info.param.removed & (1u << i)) name += kNames[i];
  }
  return name;
}

const char* const kRecordings[] = {
    "linux-6.18-legacy.diag", "linux-6.18-skmeminfo.diag",
    "linux-6.1-legacy.diag", "linux-6.1-skmeminfo.diag"};

// The tcp_info length a recording carries (the same in every message), and
// which of kOptional it has (bit i for kOptional[i]).
struct RecordingShape {
  std::size_t info_bytes = 0;
  unsigned optional = 0;
};

RecordingShape ShapeOf(const std::vector<RecordedDatagram>& datagrams) {
  RecordingShape shape;
  for (const auto& datagram : datagrams) {
    for (const Bytes& message : testing::SplitMessages(datagram.bytes)) {
      for (const auto& attribute : testing::Attributes(message)) {
        if (attribute.type == INET_DIAG_INFO) {
          shape.info_bytes = attribute.length;
        }
        for (unsigned i = 0; i < std::size(kOptional); ++i) {
          if (attribute.type == kOptional[i]) shape.optional |= 1u << i;
        }
      }
    }
  }
  return shape;
}

// Every size up to the recording's own, with every set of the optional
// attributes it has taken out.
std::vector<Variant> Variants() {
  std::vector<Variant> variants;
  for (const char* recording : kRecordings) {
    const RecordingShape shape = ShapeOf(LoadRecording(recording));
    for (const InfoSize& size : kInfoSizes) {
      if (size.bytes > shape.info_bytes) continue;
      for (unsigned removed = 0; removed < 1u << std::size(kOptional);
           ++removed) {
        if ((removed & ~shape.optional) != 0) continue;
        variants.push_back({recording, size.bytes, removed});
      }
    }
  }
  return variants;
}

bool IsSocketMessage(const Bytes& message) {
  std::uint16_t type;
  std::memcpy(&type, message.data() + 4, sizeof type);  // nlmsg_type
  return type == SOCK_DIAG_BY_FAMILY || type == TCPDIAG_GETSOCK;
}

// Reshapes every socket message of the recording as `variant` says.
std::vector<RecordedDatagram> Reshaped(const Variant& variant) {
  auto datagrams = LoadRecording(variant.recording);
  for (auto& datagram : datagrams) {
    auto messages = testing::SplitMessages(datagram.bytes);
    for (Bytes& message : messages) {
      if (!IsSocketMessage(message)) continue;
      message = testing::WithInfoLength(message, variant.info_bytes);
      for (unsigned i = 0; i < std::size(kOptional); ++i) {
        if (variant.removed & (1u << i)) {
          message = testing::WithoutAttribute(message, kOptional[i]);
        }
      }
    }
    datagram.bytes = testing::JoinMessages(messages);
  }
  return datagrams;
}

using Decoded = testing::DecodedDump;

Decoded Decode(const std::vector<RecordedDatagram>& datagrams) {
  return testing::DecodeDatagrams(datagrams);
}

// Whether the variant's payload still carries `row`'s field. Only
// INET_DIAG_INFO is cut; the other attributes keep their recorded length.
bool Carries(const Variant& variant, const FieldRow& row) {
  for (unsigned i = 0; i < std::size(kOptional); ++i) {
    if (kOptional[i] == row.attribute && (variant.removed & (1u << i))) {
      return false;
    }
  }
  return row.attribute != INET_DIAG_INFO || row.end <= variant.info_bytes;
}

class KernelPayload : public ::testing::TestWithParam<Variant> {};

TEST_P(KernelPayload, DecodesLikeTheWholeRecordingAndMarksMissingFields) {
  const Variant& variant = GetParam();
  const Decoded whole = Decode(LoadRecording(variant.recording));
  const Decoded reshaped = Decode(Reshaped(variant));
  ASSERT_EQ(reshaped.end, DatagramEnd::kDone);
  EXPECT_EQ(reshaped.counts.malformed, 0u);
  ASSERT_EQ(reshaped.sockets.size(), whole.sockets.size());
  ASSERT_GT(whole.sockets.size(), 0u);
  for (std::size_t i = 0; i < whole.sockets.size(); ++i) {
    const SocketRecord& want = whole.sockets[i];
    const SocketRecord& got = reshaped.sockets[i];
    SCOPED_TRACE("socket " + std::to_string(i) + ", local port " +
                 std::to_string(want.local_port));
    EXPECT_EQ(got.family, want.family);
    EXPECT_EQ(got.state, want.state);
    EXPECT_EQ(got.timer, want.timer);
    EXPECT_EQ(got.retrans, want.retrans);
    EXPECT_EQ(got.local_port, want.local_port);
    EXPECT_EQ(got.peer_port, want.peer_port);
    EXPECT_EQ(got.local_address, want.local_address);
    EXPECT_EQ(got.peer_address, want.peer_address);
    EXPECT_EQ(got.expires_ms, want.expires_ms);
    EXPECT_EQ(got.rqueue, want.rqueue);
    EXPECT_EQ(got.wqueue, want.wqueue);
    EXPECT_EQ(got.bound_interface, want.bound_interface);
    EXPECT_EQ(got.inode, want.inode);
    EXPECT_EQ(got.cookie, want.cookie);
    for (const FieldRow& row : kFields) {
      SCOPED_TRACE(row.name);
      // Request sockets carry no tcp_info at all, on any kernel.
      if (!row.present(want)) {
        EXPECT_FALSE(row.present(got));
        continue;
      }
      if (Carries(variant, row)) {
        EXPECT_TRUE(row.present(got));
        EXPECT_EQ(row.value(got), row.value(want));
      } else {
        EXPECT_FALSE(row.present(got));
        EXPECT_EQ(row.value(got), 0u);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryKernel, KernelPayload,
                         ::testing::ValuesIn(Variants()), Name);

// What the recordings themselves show about each kernel (measured, and what
// README's kernel table says).
TEST(KernelRecordings, EachKernelSendsItsOwnTcpInfoLengthAndAttributes) {
  struct Expected {
    const char* recording;
    std::size_t info_bytes;
  };
  for (const Expected& expected : {Expected{"linux-6.18-legacy.diag", 280},
                                   Expected{"linux-6.18-skmeminfo.diag", 280},
                                   Expected{"linux-6.1-legacy.diag", 232},
                                   Expected{"linux-6.1-skmeminfo.diag", 232}}) {
    SCOPED_TRACE(expected.recording);
    const auto datagrams = LoadRecording(expected.recording);
    const RecordingShape shape = ShapeOf(datagrams);
    EXPECT_EQ(shape.info_bytes, expected.info_bytes);
    // CGROUP_ID and SOCKOPT come unasked since 5.8 and 5.10; SKMEMINFO only
    // when asked for, as 9 u32.
    const bool asked =
        std::string(expected.recording).find("skmeminfo") != std::string::npos;
    EXPECT_EQ(shape.optional, asked ? 7u : 3u);
    for (const auto& datagram : datagrams) {
      for (const Bytes& message : testing::SplitMessages(datagram.bytes)) {
        for (const auto& attribute : testing::Attributes(message)) {
          if (attribute.type == INET_DIAG_SKMEMINFO) {
            EXPECT_EQ(attribute.length, SK_MEMINFO_VARS * 4u);
          }
        }
      }
    }
  }
}

// idiag_timer 5 (delayed ACK) is coming in a future kernel: a recorded
// connection showing it is counted under "other", scores nothing and has no
// give-up time, and nothing about the dump fails.
TEST(KernelPayloads, UnknownTimerIsCountedAsOtherAndNeverFatal) {
  auto datagrams = LoadRecording("linux-6.1-legacy.diag");
  const Decoded recorded = Decode(datagrams);
  for (auto& datagram : datagrams) {
    auto messages = testing::SplitMessages(datagram.bytes);
    for (Bytes& message : messages) {
      if (IsSocketMessage(message)) testing::SetDiagByte(&message, 2, 5);
    }
    datagram.bytes = testing::JoinMessages(messages);
  }
  const Decoded decoded = Decode(datagrams);
  ASSERT_EQ(decoded.end, DatagramEnd::kDone);
  EXPECT_EQ(decoded.counts.malformed, 0u);
  ASSERT_EQ(decoded.sockets.size(), recorded.sockets.size());
  SocketStats stats;
  for (const SocketRecord& socket : decoded.sockets) {
    EXPECT_EQ(socket.timer, 5);
    stats.Add(socket);
    if (socket.state == kTcpSynSent) continue;  // Scored by its SYN retries.
    EXPECT_EQ(ScoreSocket(socket, ScoringConfig(), 0.04).score, 0)
        << socket.local_port;
    EXPECT_EQ(GiveUpEtaSeconds(socket, KernelSettings()),
              std::numeric_limits<double>::infinity());
  }
  std::size_t other = 0;
  for (std::size_t i = 0; i < stats.timers.size(); ++i) {
    if (std::string(TimerLabel(i)) == "other") other = stats.timers[i];
  }
  EXPECT_EQ(other, decoded.sockets.size());
  EXPECT_EQ(stats.scanned, decoded.sockets.size());
}

}  // namespace
}  // namespace halfopen
