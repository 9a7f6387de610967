#include "exporter/options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace halfopen {
namespace {

using ::testing::ElementsAre;

struct AlphaOptions {
  std::string fields = "^$";
};

// The alpha collector's options as its spec last parsed them.
std::shared_ptr<AlphaOptions> alpha_options;

CollectorCatalog FakeCatalog() {
  CollectorCatalog catalog;
  catalog.Add({"beta", "Beta things.", false, nullptr, nullptr});
  alpha_options = std::make_shared<AlphaOptions>();
  catalog.Add({"alpha", "Alpha things.", true,
               [options = alpha_options](FlagSet* flags, SourceOptions*) {
                 flags->String("collector.alpha.fields", "Extra fields.",
                               &options->fields);
               },
               nullptr});
  return catalog;
}

Status Parse(std::vector<const char*> args, Options* options) {
  args.insert(args.begin(), "halfopen_exporter");
  return ParseOptions(static_cast<int>(args.size()), args.data(), FakeCatalog(),
                      options);
}

TEST(Options, DefaultsMatchTheDocumentedOnes) {
  Options options;
  ASSERT_TRUE(Parse({}, &options).ok());
  EXPECT_EQ(options.listen_host, "");
  EXPECT_EQ(options.listen_port, kDefaultPort);
  EXPECT_EQ(options.telemetry_path, "/metrics");
  EXPECT_EQ(options.log_level, "info");
  EXPECT_EQ(options.log_format, "logfmt");
  EXPECT_EQ(options.sources.procfs, "/proc");
  EXPECT_THAT(options.enabled_collectors, ElementsAre("alpha"));
  EXPECT_EQ(alpha_options->fields, "^$");
}

TEST(Options, OnceWatchesTwoSecondsAsTextUnlessToldOtherwise) {
  Options options;
  ASSERT_TRUE(Parse({"--once"}, &options).ok());
  EXPECT_TRUE(options.once);
  EXPECT_EQ(options.once_format, "text");
  EXPECT_EQ(options.once_observe_seconds, 2);
  ASSERT_TRUE(
      Parse({"--once", "--once.format=json", "--once.observe=0"}, &options)
          .ok());
  EXPECT_EQ(options.once_format, "json");
  EXPECT_EQ(options.once_observe_seconds, 0);
  EXPECT_EQ(Parse({"--once.observe=-1"}, &options).message(),
            "invalid value \"-1\" for flag --once.observe: want a number "
            "from 0 to 60");
}

TEST(Options, CollectorSwitchesComeFromTheCatalog) {
  Options options;
  ASSERT_TRUE(
      Parse({"--collector.beta", "--no-collector.alpha"}, &options).ok());
  EXPECT_THAT(options.enabled_collectors, ElementsAre("beta"));
}

TEST(Options, DisableDefaultsKeepsOnlyExplicitlyEnabledCollectors) {
  Options options;
  ASSERT_TRUE(Parse({"--collector.disable-defaults"}, &options).ok());
  EXPECT_TRUE(options.enabled_collectors.empty());
  ASSERT_TRUE(
      Parse({"--collector.disable-defaults", "--collector.beta"}, &options)
          .ok());
  EXPECT_THAT(options.enabled_collectors, ElementsAre("beta"));
}

TEST(Options, ProcfsRootIsPassedToCollectors) {
  Options options;
  ASSERT_TRUE(Parse({"--path.procfs=/fixtures/proc"}, &options).ok());
  EXPECT_EQ(options.sources.procfs, "/fixtures/proc");
}

TEST(Options, CollectorFlagsAreParsedIntoTheirOwnOptions) {
  Options options;
  ASSERT_TRUE(Parse({"--collector.alpha.fields=^Tcp"}, &options).ok());
  EXPECT_EQ(alpha_options->fields, "^Tcp");
}

TEST(Options, BadValueOfADisabledCollectorsFlagIsStillAnError) {
  Options options;
  CollectorCatalog catalog;
  catalog.Add({"gamma", "Gamma things.", true,
               [](FlagSet* flags, SourceOptions* sources) {
                 flags->Number("suspects.threshold", "Threshold.",
                               &sources->suspicion.threshold, 0, 1);
               },
               nullptr});
  const char* args[] = {"halfopen_exporter", "--no-collector.gamma",
                        "--suspects.threshold=abc"};
  EXPECT_EQ(ParseOptions(3, args, catalog, &options).message(),
            "invalid value \"abc\" for flag --suspects.threshold: want a "
            "number from 0 to 1");
}

TEST(Options, RejectsUnknownLogLevel) {
  Options options;
  EXPECT_EQ(Parse({"--log.level=verbose"}, &options).message(),
            "invalid value \"verbose\" for flag --log.level: want one of debug "
            "info warn error");
}

TEST(Options, RejectsUnknownLogFormat) {
  Options options;
  EXPECT_EQ(Parse({"--log.format=xml"}, &options).message(),
            "invalid value \"xml\" for flag --log.format: want one of logfmt "
            "json");
}

TEST(Options, RejectsTelemetryPathThatIsNotAbsoluteOrIsReserved) {
  Options options;
  for (const char* bad :
       {"--web.telemetry-path=metrics", "--web.telemetry-path=/",
        "--web.telemetry-path=/-/healthy", "--web.telemetry-path=/status"}) {
    EXPECT_THAT(Parse({bad}, &options).message(),
                ::testing::HasSubstr("for flag --web.telemetry-path: want an "
                                     "absolute path"))
        << bad;
  }
}

TEST(Options, RejectsEmptyProcfs) {
  Options options;
  EXPECT_EQ(Parse({"--path.procfs="}, &options).message(),
            "invalid value \"\" for flag --path.procfs: want a directory");
}

struct AddressCase {
  std::string address;
  std::string host;
  int port;
};

TEST(ListenAddress, SplitsHostAndPort) {
  for (const AddressCase& c :
       std::vector<AddressCase>{{":9742", "", 9742},
                                {"127.0.0.1:0", "127.0.0.1", 0},
                                {"[::1]:9100", "::1", 9100},
                                {"localhost:65535", "localhost", 65535}}) {
    std::string host;
    int port = -1;
    ASSERT_TRUE(ParseListenAddress(c.address, &host, &port).ok()) << c.address;
    EXPECT_EQ(host, c.host);
    EXPECT_EQ(port, c.port);
  }
}

TEST(ListenAddress, RejectsMalformedAddressesNamingTheFlag) {
  std::string host;
  int port;
  EXPECT_EQ(ParseListenAddress("9742", &host, &port).message(),
            "invalid value \"9742\" for flag --web.listen-address: want "
            "host:port, [ipv6]:port or :port");
  EXPECT_EQ(ParseListenAddress("::1:80", &host, &port).message(),
            "invalid value \"::1:80\" for flag --web.listen-address: put IPv6 "
            "addresses in brackets, e.g. [::1]:9742");
  for (const char* bad :
       {"host:", "host:http", "host:65536", "host:-1", "host:80x"}) {
    EXPECT_THAT(ParseListenAddress(bad, &host, &port).message(),
                ::testing::HasSubstr("the port must be a number from 0 to "
                                     "65535"))
        << bad;
  }
}

}  // namespace
}  // namespace halfopen
