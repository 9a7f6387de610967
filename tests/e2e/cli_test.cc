#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>

#include "tests/support/process.h"

namespace halfopen::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

int RunExporter(const std::string& flags, std::string* output) {
  return RunCommand(ExporterPath() + " " + flags, output);
}

TEST(Cli, UnknownFlagExitsTwoWithOneLineNamingIt) {
  std::string output;
  EXPECT_EQ(RunExporter("--bogus", &output), 2);
  EXPECT_EQ(output, "halfopen_exporter: unknown flag --bogus\n");
}

TEST(Cli, BadValueExitsTwoWithOneLineNamingTheFlag) {
  std::string output;
  EXPECT_EQ(RunExporter("--log.level=loud", &output), 2);
  EXPECT_THAT(output, MatchesRegex("halfopen_exporter: invalid value "
                                   "\"loud\" for flag --log.level: [^\n]*\n"));
}

TEST(Cli, HelpListsEveryFlagWithItsDefault) {
  std::string output;
  ASSERT_EQ(RunExporter("--help", &output), 0);
  for (const char* flag :
       {"--web.listen-address=VALUE", "--web.telemetry-path=VALUE",
        "--path.procfs=VALUE", "--log.level=VALUE", "--log.format=VALUE",
        "\n  --version\n", "\n  -h, --help\n"}) {
    EXPECT_THAT(output, HasSubstr(flag));
  }
  // Every flag entry but the two actions is followed by its help line and a
  // default line.
  const std::regex entry("\n  --[^\n]+\n      [^\n]+\n      \\(default: ");
  const std::regex flag_line("\n  -(-|h, --)[^\n]+=VALUE\n|\n  --\\[no-\\]");
  const auto flags = std::distance(
      std::sregex_iterator(output.begin(), output.end(), flag_line),
      std::sregex_iterator());
  EXPECT_GE(flags, 7);
  EXPECT_EQ(
      std::distance(std::sregex_iterator(output.begin(), output.end(), entry),
                    std::sregex_iterator()),
      flags);
  EXPECT_THAT(output, HasSubstr("(default: :9742)"));
  EXPECT_THAT(output, HasSubstr("(default: /metrics)"));
  EXPECT_THAT(output, HasSubstr("(default: /proc)"));
}

TEST(Cli, ShortHAsksForHelp) {
  std::string output;
  ASSERT_EQ(RunExporter("-h", &output), 0);
  EXPECT_THAT(output, ::testing::StartsWith("usage: halfopen_exporter"));
}

TEST(Cli, NegatedHelpAndVersionAreRefused) {
  for (const std::string flag : {"--no-help", "--no-version"}) {
    std::string output;
    EXPECT_EQ(RunExporter(flag, &output), 2);
    EXPECT_EQ(output, "halfopen_exporter: unknown flag " + flag + "\n");
  }
}

TEST(Cli, VersionPrintsVersionAndRevision) {
  std::string output;
  ASSERT_EQ(RunExporter("--version", &output), 0);
  EXPECT_THAT(output,
              MatchesRegex("halfopen_exporter version [0-9]+\\.[0-9]+"
                           "\\.[0-9]+ \\(revision ([0-9a-f]+|unknown)\\)"
                           "\n"));
}

TEST(Cli, AddressInUseExitsTwoWithClearLine) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);

  std::string output;
  EXPECT_EQ(
      RunExporter("--web.listen-address=127.0.0.1:" + std::to_string(port),
                  &output),
      2);
  EXPECT_THAT(output,
              HasSubstr("halfopen_exporter: cannot listen on "
                        "127.0.0.1:" +
                        std::to_string(port) + ": the address is in use"));
  close(fd);
}

std::string FixtureProcfs() {
  return std::string(HALFOPEN_SOURCE_DIR) + "/tests/fixtures/procfs/linux-6.18";
}

TEST(Cli, OncePrintsOneCollectionAsTablesAndExitsZero) {
  std::string output;
  ASSERT_EQ(RunExporter("--once --once.observe=0 --collector.disable-defaults "
                        "--collector.tcpsettings --path.procfs=" +
                            FixtureProcfs() + " 2>/dev/null",
                        &output),
            0)
      << output;
  EXPECT_THAT(output, MatchesRegex("halfopen_exporter [0-9.]+ \\(revision "
                                   "([0-9a-f]+|unknown)\\), collected [-0-9]+ "
                                   "[:0-9]+ UTC\n(.|\n)*"));
  // The fixture's sysctls, and what they come to.
  EXPECT_THAT(output, ContainsRegex("\ntcp_retries2 +15\n"));
  EXPECT_THAT(output, ContainsRegex("\ndata to a silent peer "
                                    "\\(tcp_retries2\\) +15 min 25 s\n"));
  EXPECT_THAT(output, HasSubstr("\ntcpsettings  ok"));
}

TEST(Cli, OnceAsJsonIsOneDocumentThatPythonReads) {
  std::string output;
  ASSERT_EQ(RunCommand(ExporterPath() +
                           " --once --once.observe=0 --once.format=json "
                           "--collector.disable-defaults "
                           "--collector.tcpsettings --path.procfs=" +
                           FixtureProcfs() +
                           " 2>/dev/null | python3 -c 'import json, sys; "
                           "d = json.load(sys.stdin); "
                           "print([s[\"value\"] for s in d[\"settings\"] if "
                           "s[\"name\"] == \"tcp_retries2\"], "
                           "d[\"collectors\"][0][\"success\"])'",
                       &output),
            0)
      << output;
  EXPECT_EQ(output, "[15] True\n");
}

TEST(Cli, OnceWhenEveryCollectorFailsSaysSoAndExitsOne) {
  std::string output;
  EXPECT_EQ(RunExporter("--once --once.observe=0 --collector.disable-defaults "
                        "--collector.netstat --path.procfs=/nonexistent",
                        &output),
            1);
  EXPECT_THAT(output, HasSubstr("halfopen_exporter: --once: no collector "
                                "succeeded"));
  EXPECT_THAT(output, HasSubstr("cannot read /nonexistent/net/netstat"));
}

TEST(Cli, OnceFormatIsCheckedLikeAnyFlag) {
  std::string output;
  EXPECT_EQ(RunExporter("--once --once.format=yaml", &output), 2);
  EXPECT_EQ(output,
            "halfopen_exporter: invalid value \"yaml\" for flag "
            "--once.format: want one of text json\n");
}

}  // namespace
}  // namespace halfopen::testing
