// Corrupt recordings (halfopen_exporter --collector.sockets.replay,
// halfopen_diag_dump --record): each way a file can be cut or damaged is
// refused with a message naming the file, never read past its end.
#include "kernel/diag_recording.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "sources/socket_walk.h"
#include "tests/unit/diag_bytes.h"

namespace halfopen {
namespace {

using testing::Bytes;

Bytes Fixture() {
  std::ifstream in(std::string(HALFOPEN_SOURCE_DIR) +
                       "/tests/fixtures/sockdiag/linux-6.18-legacy.diag",
                   std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

class CountingVisitor : public SocketVisitor {
 public:
  void OnSocket(const SocketRecord&) override { ++sockets; }
  int sockets = 0;
};

struct Replayed {
  Status status;
  int sockets = 0;
};

Replayed Replay(Bytes bytes) {
  std::FILE* file = fmemopen(bytes.data(), bytes.size(), "rb");
  CountingVisitor visitor;
  ParseCounts counts;
  std::string error;
  Replayed replayed;
  replayed.status = recording::Replay(
      file, "dump.diag", ParsingHandler(&visitor, &counts, &error));
  std::fclose(file);
  replayed.sockets = visitor.sockets;
  return replayed;
}

// The offset of the first datagram record's length field.
constexpr std::size_t kFirstLength = 8 + 9 + 1;

TEST(DiagRecording, TheFixtureReplaysWhole) {
  const Replayed replayed = Replay(Fixture());
  EXPECT_TRUE(replayed.status.ok()) << replayed.status.message();
  EXPECT_EQ(replayed.sockets, 16);
}

TEST(DiagRecording, RefusesAFileThatIsNoRecording) {
  Bytes bytes = Fixture();
  bytes[7] = '2';
  EXPECT_EQ(Replay(bytes).status.message(),
            "dump.diag: not a halfopen diag recording");
  EXPECT_EQ(Replay(Bytes(bytes.begin(), bytes.begin() + 5)).status.message(),
            "dump.diag: not a halfopen diag recording");
}

TEST(DiagRecording, RefusesARecordCutShort) {
  const Bytes bytes = Fixture();
  EXPECT_EQ(
      Replay(Bytes(bytes.begin(), bytes.begin() + 8 + 5)).status.message(),
      "dump.diag: truncated request record");
  EXPECT_EQ(Replay(Bytes(bytes.begin(), bytes.begin() + kFirstLength + 100))
                .status.message(),
            "dump.diag: truncated datagram");
}

TEST(DiagRecording, RefusesAnUnknownRecordOrAnOversizedLength) {
  Bytes unknown = Fixture();
  unknown[kFirstLength - 1] = 'X';
  EXPECT_EQ(Replay(unknown).status.message(), "dump.diag: malformed record");
  Bytes huge = Fixture();
  const std::uint32_t length = recording::kMaxDatagramBytes + 1;
  std::memcpy(huge.data() + kFirstLength, &length, 4);
  EXPECT_EQ(Replay(huge).status.message(), "dump.diag: malformed record");
}

TEST(DiagRecording, RefusesAFileThatEndsBeforeTheDump) {
  Bytes bytes = Fixture();
  std::uint32_t length;
  std::memcpy(&length, bytes.data() + kFirstLength, 4);
  // Only the first datagram: the DONE that ends the dump is missing.
  bytes.resize(kFirstLength + 4 + length);
  EXPECT_EQ(Replay(bytes).status.message(),
            "dump.diag: the recording ends before the dump did");
}

TEST(DiagRecording, IgnoresDatagramsAfterTheEnd) {
  Bytes bytes = Fixture();
  const Bytes whole = bytes;
  bytes.insert(bytes.end(), whole.begin() + kFirstLength - 1, whole.end());
  const Replayed replayed = Replay(bytes);
  EXPECT_TRUE(replayed.status.ok()) << replayed.status.message();
  EXPECT_EQ(replayed.sockets, 16);
}

}  // namespace
}  // namespace halfopen
