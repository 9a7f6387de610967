#include "model/unix_listener_history.h"

#include <gtest/gtest.h>

#include <string>

namespace halfopen {
namespace {

using std::string_literals::operator""s;

UnixSocketRecord Socket(const std::string& name, std::uint8_t type,
                        std::uint32_t length, std::uint32_t limit) {
  UnixSocketRecord socket;
  socket.type = type;
  socket.state = 10;
  socket.has_queue = true;
  socket.queue_length = length;
  socket.queue_limit = limit;
  socket.name = name;
  return socket;
}

UnixListener Listener(const std::string& name, std::uint8_t type) {
  UnixListener listener;
  listener.key = {name, type};
  listener.path = UnixPathLabel(name);
  return listener;
}

// One sample at `now` of the given sockets.
void Sample(UnixListenerHistory* history, double now,
            const std::vector<UnixSocketRecord>& sockets) {
  history->BeginSample(now);
  for (const UnixSocketRecord& socket : sockets) history->Observe(socket);
  history->EndSample();
}

TEST(UnixListenerHistory, TimesAFullQueueAndKeepsItsPeakByNameAndType) {
  UnixListenerHistory history(60, 1000);
  const std::string name = "/run/app.sock\0"s;
  Sample(&history, 100,
         {Socket(name, kUnixStream, 3, 2), Socket(name, kUnixSeqpacket, 0, 2)});
  Sample(&history, 101,
         {Socket(name, kUnixStream, 3, 2), Socket(name, kUnixSeqpacket, 0, 2)});
  Sample(&history, 102,
         {Socket(name, kUnixStream, 1, 2), Socket(name, kUnixSeqpacket, 0, 2)});
  const auto stream = history.Read(Listener(name, kUnixStream), 102);
  // Full at both ends of the first second, at one end of the second.
  EXPECT_DOUBLE_EQ(stream.full_seconds, 1.5);
  EXPECT_EQ(stream.peak_length, 3u);
  EXPECT_TRUE(history.RecentlyFull(Listener(name, kUnixStream), 102));
  const auto seqpacket = history.Read(Listener(name, kUnixSeqpacket), 102);
  EXPECT_DOUBLE_EQ(seqpacket.full_seconds, 0);
  EXPECT_FALSE(history.RecentlyFull(Listener(name, kUnixSeqpacket), 102));
  EXPECT_EQ(history.samples(), 3u);
}

TEST(UnixListenerHistory, IgnoresSocketsWithoutAQueue) {
  UnixListenerHistory history(60, 1000);
  UnixSocketRecord socket = Socket("/a", kUnixStream, 5, 1);
  socket.has_queue = false;
  Sample(&history, 1, {socket});
  Sample(&history, 2, {socket});
  EXPECT_EQ(history.Read(Listener("/a", kUnixStream), 2).peak_length, 0u);
}

TEST(UnixListenerHistory, FoldsOnlyWhatIsNeitherKeptNorExcluded) {
  UnixListenerHistory history(60, 1000);
  for (double now : {1.0, 2.0}) {
    Sample(&history, now,
           {Socket("/kept", kUnixStream, 2, 1),
            Socket("/excluded", kUnixStream, 2, 1),
            Socket("/folded", kUnixStream, 2, 1)});
  }
  const UnixListener kept = Listener("/kept", kUnixStream);
  const UnixListener excluded = Listener("/excluded", kUnixStream);
  const auto other = history.FoldOthers({&kept}, {&excluded}, 2);
  EXPECT_DOUBLE_EQ(other.full_seconds, 1);
  EXPECT_EQ(other.peak_length, 2u);
}

}  // namespace
}  // namespace halfopen
