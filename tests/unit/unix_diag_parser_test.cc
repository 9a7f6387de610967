#include "decode/unix_diag_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "tests/unit/diag_bytes.h"

namespace halfopen {
namespace {

using testing::Bytes;
using testing::LoadRecording;
using ::testing::UnorderedElementsAreArray;

// (type, path, queue length, limit, inode), as ss -xln and the decoder
// each see a listener.
using Row = std::tuple<std::string, std::string, std::uint32_t, std::uint32_t,
                       std::uint32_t>;

struct Rows : UnixSocketVisitor {
  void OnUnixSocket(const UnixSocketRecord& s) override {
    EXPECT_TRUE(s.has_queue);
    rows.emplace_back(UnixTypeLabel(s.type), UnixPathLabel(s.name),
                      s.queue_length, s.queue_limit, s.inode);
  }
  std::vector<Row> rows;
};

struct Parsed {
  ParseCounts counts;
  DatagramEnd end = DatagramEnd::kMore;
  DumpError error;
};

Parsed ParseRecording(const std::string& name, UnixSocketVisitor& visitor) {
  Parsed parsed;
  for (const auto& datagram : LoadRecording(name)) {
    parsed.end = ParseUnixDiagDatagram(datagram.bytes, datagram.id.sequence,
                                       datagram.id.port_id, visitor,
                                       &parsed.counts, &parsed.error);
    if (parsed.end != DatagramEnd::kMore) break;
  }
  return parsed;
}

// The listeners of ss -xln in the recorded namespace ("u_str LISTEN 3 2
// /path 1234 * 0"); it lists unconnected sockets too.
std::vector<Row> SsRows() {
  std::ifstream in(std::string(HALFOPEN_SOURCE_DIR) +
                   "/tests/fixtures/sockdiag/linux-6.18-unix-listeners-ss.txt");
  EXPECT_TRUE(in.good());
  std::vector<Row> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string netid, state, path;
    std::uint32_t rq = 0, sq = 0, inode = 0;
    fields >> netid >> state >> rq >> sq >> path >> inode;
    if (state != "LISTEN") continue;
    rows.emplace_back(netid == "u_seq" ? "seqpacket" : "stream", path, rq, sq,
                      inode);
  }
  return rows;
}

TEST(UnixDiagParser, DecodesEveryRecordedListenerAsSsShowsIt) {
  Rows rows;
  const Parsed parsed = ParseRecording("linux-6.18-unix-listeners.diag", rows);
  EXPECT_EQ(parsed.end, DatagramEnd::kDone) << parsed.error.error_number;
  EXPECT_EQ(parsed.counts.malformed, 0u);
  EXPECT_EQ(parsed.counts.foreign, 0u);
  const std::vector<Row> ss = SsRows();
  ASSERT_GE(ss.size(), 6u);
  EXPECT_THAT(rows.rows, UnorderedElementsAreArray(ss));
}

TEST(UnixListenerTable, GroupsTheRecordedListenersByPathAndType) {
  UnixListenerTable table;
  ParseRecording("linux-6.18-unix-listeners.diag", table);
  std::map<std::string, UnixListener> by_path;
  for (const UnixListener& l : table.listeners()) by_path[l.path] = l;
  const std::string base = "/tmp/hoe-unix-fixture/";
  ASSERT_TRUE(by_path.contains(base + "full.sock"));
  const UnixListener& full = by_path[base + "full.sock"];
  EXPECT_EQ(full.queue_length, 3u);  // backlog + 1: the 4th was refused
  EXPECT_EQ(full.queue_limit, 2u);
  EXPECT_DOUBLE_EQ(full.max_fill, 1.0);
  EXPECT_TRUE(full.QueueFull());
  ASSERT_TRUE(by_path.contains("@hoe-fixture-seqpacket"));
  EXPECT_EQ(by_path["@hoe-fixture-seqpacket"].key.type, kUnixSeqpacket);
  EXPECT_EQ(by_path["@hoe-fixture-seqpacket"].queue_length, 1u);
  ASSERT_TRUE(by_path.contains(base + "restarted.sock"));
  EXPECT_EQ(by_path[base + "restarted.sock"].sockets, 2u);
  EXPECT_EQ(by_path[base + "restarted.sock"].inodes.size(), 2u);
  ASSERT_TRUE(by_path.contains(base + "gone.sock"));
  EXPECT_EQ(by_path[base + "gone.sock"].sockets, 1u);
  EXPECT_FALSE(by_path.contains(base + "dgram.sock"));
}

TEST(UnixDiagParser, CountsAnInetDiagRecordingAsMalformedAndHandsNothingOn) {
  Rows rows;
  const Parsed parsed = ParseRecording("linux-6.18-listeners.diag", rows);
  EXPECT_TRUE(rows.rows.empty());
  EXPECT_GT(parsed.counts.malformed, 0u);
  EXPECT_EQ(parsed.counts.sockets, 0u);
}

// One SOCK_DIAG_BY_FAMILY message built with the system's structs, with
// the given attributes (type, payload).
Bytes Message(std::uint8_t family,
              const std::vector<std::pair<std::uint16_t, Bytes>>& attributes) {
  Bytes bytes(NLMSG_LENGTH(sizeof(unix_diag_msg)), 0);
  unix_diag_msg message{};
  message.udiag_family = family;
  message.udiag_type = SOCK_STREAM;
  message.udiag_state = 10;
  message.udiag_ino = 77;
  std::memcpy(bytes.data() + NLMSG_HDRLEN, &message, sizeof message);
  for (const auto& [type, payload] : attributes) {
    bytes.resize(NLMSG_ALIGN(bytes.size()));
    rtattr header{static_cast<unsigned short>(RTA_LENGTH(payload.size())),
                  type};
    const std::size_t at = bytes.size();
    bytes.resize(at + RTA_LENGTH(payload.size()));
    std::memcpy(bytes.data() + at, &header, sizeof header);
    std::memcpy(bytes.data() + at + RTA_LENGTH(0), payload.data(),
                payload.size());
  }
  nlmsghdr header{};
  header.nlmsg_len = static_cast<std::uint32_t>(bytes.size());
  header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  header.nlmsg_seq = 5;
  header.nlmsg_pid = 9;
  std::memcpy(bytes.data(), &header, sizeof header);
  bytes.resize(NLMSG_ALIGN(bytes.size()));
  return bytes;
}

Bytes Queue(std::uint32_t pending, std::uint32_t backlog) {
  unix_diag_rqlen queue{pending, backlog};
  Bytes bytes(sizeof queue);
  std::memcpy(bytes.data(), &queue, sizeof queue);
  return bytes;
}

Bytes Text(const std::string& text) { return Bytes(text.begin(), text.end()); }

struct Case {
  const char* what;
  Bytes message;
  std::uint64_t sockets;
  std::uint64_t malformed;
};

TEST(UnixDiagParser, SkipsAndCountsEachMalformedMessage) {
  Bytes past_end = Message(AF_UNIX, {{UNIX_DIAG_NAME, Text("/a")}});
  past_end[NLMSG_HDRLEN + sizeof(unix_diag_msg)] = 200;  // rta_len
  const Case cases[] = {
      {"well formed", Message(AF_UNIX, {{UNIX_DIAG_RQLEN, Queue(1, 2)}}), 1, 0},
      {"queue too short", Message(AF_UNIX, {{UNIX_DIAG_RQLEN, Bytes(4)}}), 0,
       1},
      {"attribute past the message", past_end, 0, 1},
      {"another family", Message(AF_INET, {{UNIX_DIAG_RQLEN, Queue(1, 2)}}), 0,
       1},
      {"shorter than unix_diag_msg",
       [] {
         Bytes m = Message(AF_UNIX, {});
         m.resize(NLMSG_HDRLEN + 4);
         const std::uint32_t length = NLMSG_HDRLEN + 4;
         std::memcpy(m.data(), &length, sizeof length);
         return m;
       }(),
       0, 1},
  };
  for (const Case& c : cases) {
    Rows rows;
    ParseCounts counts;
    DumpError error;
    ParseUnixDiagDatagram(c.message, 5, 9, rows, &counts, &error);
    EXPECT_EQ(counts.sockets, c.sockets) << c.what;
    EXPECT_EQ(counts.malformed, c.malformed) << c.what;
    EXPECT_EQ(rows.rows.size(), c.sockets) << c.what;
  }
}

TEST(UnixDiagParser, ASocketWithoutItsQueueIsNoListener) {
  UnixListenerTable table;
  ParseCounts counts;
  DumpError error;
  ParseUnixDiagDatagram(Message(AF_UNIX, {{UNIX_DIAG_NAME, Text("/a")}}), 5, 9,
                        table, &counts, &error);
  EXPECT_EQ(counts.sockets, 1u);
  EXPECT_TRUE(table.listeners().empty());
}

TEST(UnixPathLabel, ShowsNamesAsSsDoesAndKeepsTheLabelUtf8) {
  using std::string_literals::operator""s;
  EXPECT_EQ(UnixPathLabel("/run/php/php8.2-fpm.sock\0"s),
            "/run/php/php8.2-fpm.sock");
  EXPECT_EQ(UnixPathLabel("\0hoe"s), "@hoe");
  EXPECT_EQ(UnixPathLabel("\0a\0b"s), "@a@b");
  EXPECT_EQ(UnixPathLabel(""), "");
  EXPECT_EQ(UnixPathLabel("/t\x01x\x7f"), "/t\\x01x\\x7f");
  EXPECT_EQ(UnixPathLabel("/caf\xc3\xa9"), "/caf\xc3\xa9");
  EXPECT_EQ(UnixPathLabel("/bad\xff\xc3"), "/bad\\xff\\xc3");
  EXPECT_EQ(UnixPathLabel("/overlong\xc0\xaf"), "/overlong\\xc0\\xaf");
  EXPECT_EQ(UnixPathLabel("/surrogate\xed\xa0\x80"),
            "/surrogate\\xed\\xa0\\x80");
}

TEST(UnixTypeLabel, NamesTheListeningTypesAndNumbersTheRest) {
  EXPECT_EQ(UnixTypeLabel(kUnixStream), "stream");
  EXPECT_EQ(UnixTypeLabel(kUnixSeqpacket), "seqpacket");
  EXPECT_EQ(UnixTypeLabel(9), "9");
}

}  // namespace
}  // namespace halfopen
