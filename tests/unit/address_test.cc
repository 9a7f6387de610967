#include "model/address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <random>

namespace halfopen {
namespace {

std::string SystemText(std::uint8_t family, const Address& address) {
  char text[INET6_ADDRSTRLEN] = "";
  inet_ntop(family == kFamilyIpv4 ? AF_INET : AF_INET6, address.data(), text,
            sizeof text);
  return text;
}

Address FromText(const char* text) {
  Address address{};
  inet_pton(AF_INET6, text, address.data());
  return address;
}

TEST(FormatAddress, WritesWhatInetNtopWritesForTheUsualShapes) {
  for (const char* text :
       {"::", "::1", "fe80::1", "2001:db8::", "2001:db8:0:1:0:0:0:1",
        "2001:0:0:1::1", "1:0:0:2:0:0:0:3", "1:2:3:4:5:6:7:8", "1::8",
        "::ffff:10.0.0.1", "::ffff:127.0.0.1", "::10.1.2.3", "::ffff:0:0",
        "0:0:0:0:0:1:0:0", "1:0::", "fd0d:7::2"}) {
    const Address address = FromText(text);
    EXPECT_EQ(FormatAddress(kFamilyIpv6, address),
              SystemText(kFamilyIpv6, address))
        << text;
  }
}

TEST(FormatAddress, AgreesWithInetNtopOnRandomAddresses) {
  std::mt19937 random(42);
  for (int i = 0; i < 20000; ++i) {
    Address address{};
    // Mostly zero groups, so that runs of every length and place occur.
    for (int group = 0; group < 8; ++group) {
      if (random() % 3 == 0) {
        address[2 * group] = static_cast<std::uint8_t>(random());
        address[2 * group + 1] = static_cast<std::uint8_t>(random());
      }
    }
    if (i % 7 == 0) address[10] = address[11] = 0xff;
    ASSERT_EQ(FormatAddress(kFamilyIpv6, address),
              SystemText(kFamilyIpv6, address));
    ASSERT_EQ(FormatAddress(kFamilyIpv4, address),
              SystemText(kFamilyIpv4, address));
  }
}

TEST(Canonical, MapsIpv4AndLeavesIpv6) {
  const Address v4{10, 0, 0, 1};
  EXPECT_EQ(FormatAddress(kFamilyIpv6, Canonical(kFamilyIpv4, v4)),
            "::ffff:10.0.0.1");
  EXPECT_TRUE(IsMappedFrom(Canonical(kFamilyIpv4, v4), v4));
  EXPECT_FALSE(IsMappedFrom(Canonical(kFamilyIpv4, v4), Address{10, 0, 0, 2}));
  const Address v6 = FromText("fe80::1");
  EXPECT_EQ(Canonical(kFamilyIpv6, v6), v6);
}

}  // namespace
}  // namespace halfopen
