#include "decode/counter_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace halfopen {
namespace {

std::string ReadFixture(const std::string& relative) {
  std::ifstream in(std::string(HALFOPEN_SOURCE_DIR) +
                   "/tests/fixtures/procfs/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(CounterParser, ParsesCapturedNetstatByName) {
  CounterTable table;
  ASSERT_TRUE(
      ParseCounterFile("netstat", ReadFixture("linux-6.18/net/netstat"), &table)
          .ok());
  // Values recorded on the capture machine (see the fixture README).
  EXPECT_EQ(*FindCounter(table, "TcpExt", "ListenOverflows"), 16);
  EXPECT_EQ(*FindCounter(table, "TcpExt", "TCPSynRetrans"), 12);
  EXPECT_EQ(*FindCounter(table, "TcpExt", "TCPTimeouts"), 14);
  EXPECT_EQ(table.at("TcpExt").size(), 135u);
  EXPECT_TRUE(table.count("IpExt"));
  EXPECT_TRUE(table.count("MPTcpExt"));
}

TEST(CounterParser, KeepsSignedValuesAndUnknownCounters) {
  CounterTable table;
  ASSERT_TRUE(
      ParseCounterFile("snmp", ReadFixture("linux-6.18/net/snmp"), &table)
          .ok());
  EXPECT_EQ(*FindCounter(table, "Tcp", "MaxConn"), -1);
  EXPECT_EQ(*FindCounter(table, "Tcp", "RtoMax"), 120000);
  EXPECT_EQ(FindCounter(table, "Tcp", "NoSuchCounter"), nullptr);
  EXPECT_EQ(FindCounter(table, "NoSuchPrefix", "MaxConn"), nullptr);
}

TEST(CounterParser, OlderLayoutSimplyLacksNewerCounters) {
  CounterTable table;
  ASSERT_TRUE(
      ParseCounterFile("netstat", ReadFixture("linux-4.8/net/netstat"), &table)
          .ok());
  EXPECT_EQ(*FindCounter(table, "TcpExt", "ListenOverflows"), 16);
  EXPECT_EQ(FindCounter(table, "TcpExt", "TCPKeepAlive"), nullptr);
}

// Captured on Debian 12's own kernel (6.1, booted by tests/kernels/run.sh):
// 30 counters fewer than 6.18 (PAWSOldAck, the TCPAO ones, ...), and one
// that later kernels dropped (MPTcpExt RcvPruned). Parsed by name, so
// neither matters.
TEST(CounterParser, DebianTwelvesNetstatParsesWithItsOwnSetOfCounters) {
  CounterTable table;
  ASSERT_TRUE(
      ParseCounterFile("netstat", ReadFixture("linux-6.1/net/netstat"), &table)
          .ok());
  EXPECT_EQ(*FindCounter(table, "TcpExt", "ListenOverflows"), 9);
  EXPECT_EQ(*FindCounter(table, "TcpExt", "ListenDrops"), 9);
  EXPECT_EQ(*FindCounter(table, "TcpExt", "TCPSynRetrans"), 6);
  EXPECT_EQ(table.at("TcpExt").size(), 125u);
  EXPECT_EQ(FindCounter(table, "TcpExt", "PAWSOldAck"), nullptr);
  EXPECT_EQ(*FindCounter(table, "MPTcpExt", "RcvPruned"), 0);
}

TEST(CounterParser, MergesRepeatedPrefix) {
  CounterTable table;
  ASSERT_TRUE(ParseCounterFile("snmp",
                               "IcmpMsg: InType3 OutType3\n"
                               "IcmpMsg: 1 2\n"
                               "IcmpMsg: InType8\n"
                               "IcmpMsg: 7\n",
                               &table)
                  .ok());
  EXPECT_EQ(*FindCounter(table, "IcmpMsg", "OutType3"), 2);
  EXPECT_EQ(*FindCounter(table, "IcmpMsg", "InType8"), 7);
}

TEST(CounterParser, AcceptsMissingTrailingNewlineAndBlankLines) {
  CounterTable table;
  ASSERT_TRUE(ParseCounterFile(
                  "f", "\nTcp: A  B\n\nTcp: 1 18446744073709551615", &table)
                  .ok());
  EXPECT_EQ(*FindCounter(table, "Tcp", "B"), 18446744073709551615.0);
}

struct MalformedCase {
  const char* what;
  const char* text;
  const char* error;
};

TEST(CounterParser, ReportsEveryMalformationWithFileLineAndReason) {
  const MalformedCase cases[] = {
      {"empty file", "", "/p/net/netstat: empty file"},
      {"only blank lines", "\n\n", "/p/net/netstat: empty file"},
      {"fewer values than names", "TcpExt: A B C\nTcpExt: 1 2\n",
       "/p/net/netstat line 2: TcpExt value line has 2 fields, header line "
       "has 3"},
      {"more values than names", "TcpExt: A\nTcpExt: 1 2\n",
       "/p/net/netstat line 2: TcpExt value line has 2 fields, header line "
       "has 1"},
      {"value not a number", "Tcp: A B\nTcp: 1 x2\n",
       "/p/net/netstat line 2: Tcp B value \"x2\" is not a number"},
      {"lone minus sign", "Tcp: A\nTcp: -\n",
       "/p/net/netstat line 2: Tcp A value \"-\" is not a number"},
      {"value too large", "Tcp: A\nTcp: 18446744073709551616\n",
       "/p/net/netstat line 2: Tcp A value \"18446744073709551616\" is not a "
       "number"},
      {"missing value line", "Tcp: A\nTcp: 1\nTcpExt: B\n",
       "/p/net/netstat line 3: header line for TcpExt has no value line"},
      {"value line of another prefix", "Tcp: A\nIp: 1\n",
       "/p/net/netstat line 2: expected values for Tcp, got Ip"},
      {"no prefix", "Tcp: A\n1 2\n",
       "/p/net/netstat line 2: does not start with \"Prefix:\""},
      {"empty prefix", ": A\n: 1\n",
       "/p/net/netstat line 1: does not start with \"Prefix:\""},
  };
  for (const auto& c : cases) {
    CounterTable table;
    EXPECT_EQ(ParseCounterFile("/p/net/netstat", c.text, &table).message(),
              c.error)
        << c.what;
  }
}

}  // namespace
}  // namespace halfopen
