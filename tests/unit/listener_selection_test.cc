#include "model/listener_selection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "decode/port_ranges.h"

namespace halfopen {
namespace {

using ::testing::ElementsAre;

Listener At(std::uint16_t port, std::uint8_t last_byte = 1) {
  Listener listener;
  listener.family = kFamilyIpv4;
  listener.address = {127, 0, 0, last_byte};
  listener.port = port;
  listener.sockets = 1;
  listener.queue_limit = 128;
  return listener;
}

std::vector<std::uint16_t> Ports(const ListenerSelection& selection) {
  std::vector<std::uint16_t> ports;
  for (const Listener* listener : selection.kept) {
    ports.push_back(listener->port);
  }
  return ports;
}

TEST(SelectListeners, KeepsEveryListenerInPortOrderUnderTheCap) {
  const std::vector<Listener> listeners = {At(443), At(22), At(80)};
  const ListenerSelection selection = SelectListeners(listeners, {});
  EXPECT_THAT(Ports(selection), ElementsAre(22, 80, 443));
  EXPECT_TRUE(selection.folded.empty());
  EXPECT_EQ(selection.excluded, 0u);
}

TEST(SelectListeners, FoldsThoseOverTheCapKeepingFullThenBusyThenLowPorts) {
  std::vector<Listener> listeners;
  for (std::uint16_t port = 1000; port < 1010; ++port) {
    listeners.push_back(At(port));
  }
  listeners[9].queue_length = 5;  // port 1009 full: 5 of 4 + 1
  listeners[9].queue_limit = 4;
  listeners[9].max_fill = 1;
  listeners[8].syn_recv = 2;             // port 1008 busy
  listeners[7].orphaned_handshakes = 1;  // port 1007 in trouble
  ListenerFilter filter;
  filter.max_listeners = 4;
  const ListenerSelection selection = SelectListeners(listeners, filter);
  EXPECT_THAT(Ports(selection), ElementsAre(1000, 1007, 1008, 1009));
  EXPECT_EQ(selection.folded.size(), 6u);
  EXPECT_EQ(selection.other.sockets, 6u);
  EXPECT_EQ(selection.other.queue_limit, 6u * 128);
}

TEST(SelectListeners, KeepsWhatTheSamplerSawFullLately) {
  // Idle now, but full between scrapes: port 9000 must not be folded away.
  std::vector<Listener> listeners = {At(22), At(80), At(9000)};
  ListenerFilter filter;
  filter.max_listeners = 2;
  EXPECT_THAT(Ports(SelectListeners(listeners, filter)), ElementsAre(22, 80));
  const ListenerSelection selection = SelectListeners(
      listeners, filter,
      [](const Listener& listener) { return listener.port == 9000; });
  EXPECT_THAT(Ports(selection), ElementsAre(22, 9000));
  ASSERT_EQ(selection.folded.size(), 1u);
  EXPECT_EQ(selection.folded[0]->port, 80);
}

TEST(SelectListeners, FoldedAggregateKeepsTheFullestFill) {
  std::vector<Listener> listeners = {At(1), At(2), At(3)};
  for (Listener& l : listeners) l.max_fill = 0.95;  // all nearly full
  listeners[2].max_fill = 1;
  ListenerFilter filter;
  filter.max_listeners = 1;
  const ListenerSelection selection = SelectListeners(listeners, filter);
  EXPECT_THAT(Ports(selection), ElementsAre(3));
  EXPECT_DOUBLE_EQ(selection.other.max_fill, 0.95);
}

TEST(SelectListeners, PortAndAddressFiltersExcludeAndCount) {
  const std::vector<Listener> listeners = {At(22), At(80), At(8080),
                                           At(8081, 2), At(9000)};
  ListenerFilter filter;
  ASSERT_EQ(ParsePortRanges("80,8000-8999", &filter.port_include), "");
  filter.address_exclude = std::regex("\\.2$");
  const ListenerSelection selection = SelectListeners(listeners, filter);
  EXPECT_THAT(Ports(selection), ElementsAre(80, 8080));
  EXPECT_EQ(selection.excluded, 3u);
  ListenerFilter exclude;
  ASSERT_EQ(ParsePortRanges("22", &exclude.port_exclude), "");
  EXPECT_THAT(Ports(SelectListeners(listeners, exclude)),
              ElementsAre(80, 8080, 8081, 9000));
}

TEST(ParsePortRanges, ReadsPortsAndRanges) {
  std::vector<PortRange> ranges;
  ASSERT_EQ(ParsePortRanges("22,80,8000-8999", &ranges), "");
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(ranges[2].first, 8000);
  EXPECT_EQ(ranges[2].last, 8999);
  EXPECT_TRUE(InPortRanges(ranges, 8500));
  EXPECT_FALSE(InPortRanges(ranges, 81));
  ASSERT_EQ(ParsePortRanges("", &ranges), "");
  EXPECT_TRUE(ranges.empty());
}

TEST(ParsePortRanges, SaysWhatIsWrong) {
  std::vector<PortRange> ranges;
  EXPECT_EQ(ParsePortRanges("80,http", &ranges),
            "want ports and ranges like 22,80,8000-8999; \"http\" is not one");
  EXPECT_EQ(ParsePortRanges("70000", &ranges),
            "want ports and ranges like 22,80,8000-8999; \"70000\" is not "
            "one");
  EXPECT_EQ(ParsePortRanges("90-80", &ranges),
            "the range \"90-80\" ends before it starts");
}

}  // namespace
}  // namespace halfopen
