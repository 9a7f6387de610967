#include "model/unix_listener_selection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace halfopen {
namespace {

UnixListener Make(const std::string& path, std::uint32_t length,
                  std::uint32_t limit) {
  UnixListener l;
  l.key = {path, kUnixStream};
  l.path = path;
  l.sockets = 1;
  l.queue_length = length;
  l.queue_limit = limit;
  l.max_fill = UnixQueueFill(length, limit);
  return l;
}

std::vector<std::string> Paths(const std::vector<const UnixListener*>& kept) {
  std::vector<std::string> paths;
  for (const UnixListener* l : kept) paths.push_back(l->path);
  return paths;
}

TEST(UnixListenerSelection, FiltersByPathAsExported) {
  const std::vector<UnixListener> listeners = {
      Make("/run/php/fpm.sock", 0, 128), Make("/run/user/1000/bus", 0, 4096),
      Make("@hoe", 0, 5)};
  UnixListenerFilter filter;
  filter.path_exclude = std::regex("^/run/user/");
  const auto selection = SelectUnixListeners(listeners, filter);
  EXPECT_THAT(Paths(selection.kept),
              ::testing::ElementsAre("/run/php/fpm.sock", "@hoe"));
  EXPECT_EQ(selection.excluded, 1u);
  filter.path_include = std::regex("^@");
  EXPECT_THAT(Paths(SelectUnixListeners(listeners, filter).kept),
              ::testing::ElementsAre("@hoe"));
}

TEST(UnixListenerSelection,
     KeepsFullThenBusyListenersPastTheCapAndFoldsTheRest) {
  const std::vector<UnixListener> listeners = {
      Make("/a", 0, 10), Make("/b", 0, 10), Make("/c", 4, 10), Make("/d", 3, 2),
      Make("/e", 0, 10)};
  UnixListenerFilter filter;
  filter.max_listeners = 2;
  const auto selection = SelectUnixListeners(listeners, filter);
  EXPECT_THAT(Paths(selection.kept), ::testing::ElementsAre("/c", "/d"));
  ASSERT_EQ(selection.folded.size(), 3u);
  EXPECT_EQ(selection.other.sockets, 3u);
  EXPECT_EQ(selection.other.queue_limit, 30u);
  EXPECT_EQ(selection.other.queue_length, 0u);
}

TEST(UnixListenerSelection, KeepsWhatTheSamplerSawFullLatelyFirst) {
  const std::vector<UnixListener> listeners = {
      Make("/a", 0, 10), Make("/b", 5, 10), Make("/z", 0, 10)};
  UnixListenerFilter filter;
  filter.max_listeners = 1;
  const auto selection = SelectUnixListeners(
      listeners, filter, [](const UnixListener& l) { return l.path == "/z"; });
  EXPECT_THAT(Paths(selection.kept), ::testing::ElementsAre("/z"));
}

TEST(UnixListenerSelection, FoldsTheFullestFillIntoOther) {
  const std::vector<UnixListener> listeners = {
      Make("/a", 0, 1), Make("/b", 1, 1), Make("/c", 2, 1)};
  UnixListenerFilter filter;
  filter.max_listeners = 1;
  const auto selection = SelectUnixListeners(listeners, filter);
  EXPECT_THAT(Paths(selection.kept), ::testing::ElementsAre("/c"));
  EXPECT_DOUBLE_EQ(selection.other.max_fill, 0.5);
}

}  // namespace
}  // namespace halfopen
