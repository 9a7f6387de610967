#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>

#include "tests/support/exporter_process.h"

namespace halfopen::testing {
namespace {

using ::testing::HasSubstr;

TEST(Http, ServesMetricsThatPromtoolAccepts) {
  ExporterProcess exporter({});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const HttpResponse response = exporter.Get("/metrics");
  ASSERT_EQ(response.status, 200) << response.error;
  EXPECT_THAT(response.headers, HasSubstr("Content-Type: text/plain"));
  EXPECT_THAT(response.body,
              ::testing::ContainsRegex(
                  "halfopen_build_info\\{version=\"[0-9.]+\",revision=\""
                  "([0-9a-f]+|unknown)\"\\} 1"));
  std::string promtool;
  EXPECT_EQ(PromtoolCheckMetrics(response.body, &promtool), 0) << promtool;
}

TEST(Http, ServesLandingPageHealthAndNotFound) {
  ExporterProcess exporter({"--web.telemetry-path=/custom"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const HttpResponse landing = exporter.Get("/");
  ASSERT_EQ(landing.status, 200) << landing.error;
  EXPECT_THAT(landing.headers, HasSubstr("text/html"));
  EXPECT_THAT(landing.body, HasSubstr("<a href=\"/custom\">/custom</a>"));
  const HttpResponse healthy = exporter.Get("/-/healthy");
  EXPECT_EQ(healthy.status, 200);
  EXPECT_EQ(exporter.Get("/custom").status, 200);
  EXPECT_EQ(exporter.Get("/metrics").status, 404);
  EXPECT_EQ(exporter.Get("/no/such/page").status, 404);
}

TEST(Http, StopsCleanlyOnSigtermAndSigint) {
  for (int signal_number : {SIGTERM, SIGINT}) {
    ExporterProcess exporter({});
    ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
    EXPECT_EQ(exporter.process().Stop(signal_number, std::chrono::seconds(10)),
              0);
    EXPECT_THAT(exporter.process().Stderr(),
                HasSubstr("msg=\"shutting down: signal="));
    EXPECT_THAT(exporter.process().Stderr(), HasSubstr("msg=\"stopped\""));
  }
}

TEST(Http, JsonLogFormatIsUsedForEveryLine) {
  ExporterProcess exporter({"--log.format=json"});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  EXPECT_THAT(
      exporter.process().Stderr(),
      ::testing::ContainsRegex("\\{\"ts\":\"[^\"]+\",\"level\":\"info\","
                               "\"msg\":\"listening: "));
}

}  // namespace
}  // namespace halfopen::testing
