// --web.config.file end to end: certificates made by openssl in the test,
// the real binary, curl as the TLS client.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/exporter_process.h"
#include "tests/support/tls_files.h"

namespace halfopen::testing {
namespace {

using ::testing::HasSubstr;

class Tls : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(files_.ok()) << files_.error(); }

  // Starts the exporter with a web config holding `extra_tls` lines under
  // tls_server_config and `users` as basic_auth_users.
  std::unique_ptr<ExporterProcess> Start(const std::string& extra_tls,
                                         const std::string& users = "") {
    std::string config =
        "tls_server_config:\n  cert_file: server.crt\n"
        "  key_file: server.key\n" +
        extra_tls;
    if (!users.empty()) config += "basic_auth_users:\n" + users;
    const std::string path = files_.Write("web.yml", config);
    return std::make_unique<ExporterProcess>(
        std::vector<std::string>{"--web.config.file=" + path});
  }

  TlsFiles files_;
};

TEST_F(Tls, HttpsWithTheCaServesTheMetrics) {
  auto exporter = Start("");
  ASSERT_TRUE(exporter->started()) << exporter->process().Stderr();
  EXPECT_THAT(exporter->process().Stderr(), HasSubstr("tls=true"));
  int status = 0;
  std::string body;
  EXPECT_EQ(files_.Curl(exporter->port(), "/metrics", "", &status, &body), 0);
  EXPECT_EQ(status, 200);
  EXPECT_THAT(body, HasSubstr("# TYPE halfopen_build_info gauge"));
  // Without the CA, curl does not trust the certificate.
  std::string output;
  EXPECT_NE(RunCommand("curl -s --max-time 10 https://127.0.0.1:" +
                           std::to_string(exporter->port()) + "/metrics",
                       &output),
            0);
}

TEST_F(Tls, PlainHttpToTheTlsPortFails) {
  auto exporter = Start("");
  ASSERT_TRUE(exporter->started()) << exporter->process().Stderr();
  const HttpResponse response = exporter->Get("/metrics");
  EXPECT_EQ(response.status, 400) << response.error;
  EXPECT_EQ(response.body, "Client sent an HTTP request to an HTTPS server.\n");
  EXPECT_THAT(response.body, ::testing::Not(HasSubstr("halfopen_")));
}

TEST_F(Tls, WrongPasswordGets401AndTheRightOne200) {
  auto exporter = Start("", "  alice: " + std::string(kPasswordHash) + "\n");
  ASSERT_TRUE(exporter->started()) << exporter->process().Stderr();
  int status = 0;
  std::string body;
  files_.Curl(exporter->port(), "/metrics", "-u alice:wrong", &status, &body);
  EXPECT_EQ(status, 401);
  files_.Curl(exporter->port(), "/metrics", "", &status, &body);
  EXPECT_EQ(status, 401);
  files_.Curl(exporter->port(), "/metrics",
              "-u alice:" + std::string(kPassword), &status, &body);
  EXPECT_EQ(status, 200);
  EXPECT_THAT(body, HasSubstr("# TYPE halfopen_build_info gauge"));
}

TEST_F(Tls, ClientCertificateIsRequiredWhenConfigured) {
  auto exporter = Start(
      "  client_auth_type: RequireAndVerifyClientCert\n"
      "  client_ca_file: ca.crt\n");
  ASSERT_TRUE(exporter->started()) << exporter->process().Stderr();
  int status = 0;
  std::string body;
  EXPECT_NE(files_.Curl(exporter->port(), "/metrics", "", &status, &body), 0);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(files_.Curl(exporter->port(), "/metrics",
                        "--cert " + files_.Path("client.crt") + " --key " +
                            files_.Path("client.key"),
                        &status, &body),
            0);
  EXPECT_EQ(status, 200);
  // A certificate the CA did not sign is refused too.
  EXPECT_NE(files_.Curl(exporter->port(), "/metrics",
                        "--cert " + files_.Path("stranger.crt") + " --key " +
                            files_.Path("stranger.key"),
                        &status, &body),
            0);
}

TEST_F(Tls, MinVersionRefusesOlderClients) {
  auto exporter = Start("  min_version: TLS13\n");
  ASSERT_TRUE(exporter->started()) << exporter->process().Stderr();
  int status = 0;
  std::string body;
  EXPECT_NE(files_.Curl(exporter->port(), "/metrics", "--tls-max 1.2", &status,
                        &body),
            0);
  EXPECT_EQ(
      files_.Curl(exporter->port(), "/metrics", "--tlsv1.3", &status, &body),
      0);
  EXPECT_EQ(status, 200);
}

TEST_F(Tls, BasicAuthWithoutTlsAlsoGuardsEveryPath) {
  const std::string path = files_.Write(
      "auth-only.yml",
      "basic_auth_users:\n  alice: " + std::string(kPasswordHash) + "\n");
  ExporterProcess exporter({"--web.config.file=" + path});
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  for (const char* page : {"/", "/metrics", "/status", "/-/healthy"}) {
    const HttpResponse response = exporter.Get(page);
    EXPECT_EQ(response.status, 401) << page;
    EXPECT_EQ(HeaderValue(response, "WWW-Authenticate"), "Basic") << page;
  }
  // "alice:s3cret" in base64.
  for (const char* page : {"/metrics", "/status"}) {
    const HttpResponse allowed = exporter.Request(
        "GET", page, {"Authorization: Basic YWxpY2U6czNjcmV0"});
    EXPECT_EQ(allowed.status, 200) << page;
  }
}

}  // namespace
}  // namespace halfopen::testing
