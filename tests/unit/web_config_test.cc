#include "web/web_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace halfopen {
namespace {

constexpr char kHash[] =
    "$2b$04$BxPkHJBkFCFFO8z6ckQOj.LsPvWuVTt8qH7zCXx8kTbk1KLmS35dK";

Status Parse(const std::string& text, WebConfig* config) {
  return ParseWebConfig(text, "/etc/halfopen/web.yml", config);
}

TEST(WebConfig, ReadsTlsAndUsersResolvingPathsAgainstTheFilesFolder) {
  WebConfig config;
  ASSERT_TRUE(Parse("tls_server_config:\n"
                    "  cert_file: server.crt\n"
                    "  key_file: /keys/server.key\n"
                    "  client_auth_type: RequireAndVerifyClientCert\n"
                    "  client_ca_file: ca.crt\n"
                    "  min_version: TLS13\n"
                    "basic_auth_users:\n"
                    "  alice: " +
                        std::string(kHash) + "\n",
                    &config)
                  .ok());
  ASSERT_TRUE(config.tls.has_value());
  EXPECT_EQ(config.tls->cert_file, "/etc/halfopen/server.crt");
  EXPECT_EQ(config.tls->key_file, "/keys/server.key");
  EXPECT_EQ(config.tls->client_ca_file, "/etc/halfopen/ca.crt");
  EXPECT_EQ(config.tls->client_auth_type, "RequireAndVerifyClientCert");
  EXPECT_EQ(config.tls->min_version, "TLS13");
  EXPECT_EQ(config.tls->where.at("cert_file"), "/etc/halfopen/web.yml:2");
  EXPECT_EQ(config.users.at("alice"), kHash);
}

TEST(WebConfig, EmptyFileMeansNeitherTlsNorAuth) {
  WebConfig config;
  ASSERT_TRUE(Parse("# nothing yet\n", &config).ok());
  EXPECT_FALSE(config.tls.has_value());
  EXPECT_TRUE(config.users.empty());
}

struct BadCase {
  const char* text;
  const char* error;
};

class WebConfigErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(WebConfigErrors, NameTheFileAndLine) {
  WebConfig config;
  EXPECT_EQ(Parse(GetParam().text, &config).message(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, WebConfigErrors,
    ::testing::Values(
        BadCase{"tls_server_config:\n  cert_file: a\n  certfile: b\n",
                "/etc/halfopen/web.yml:3: unknown key \"certfile\" in "
                "tls_server_config"},
        BadCase{"basic_auth_users: {}\nweb: 1\n",
                "/etc/halfopen/web.yml:2: unknown key \"web\""},
        BadCase{"tls_server_config:\n  cert_file: a\n  key_file: b\n"
                "  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
                "/etc/halfopen/web.yml:4: \"cipher_suites\" in "
                "tls_server_config is not supported by halfopen_exporter"},
        BadCase{"http_server_config:\n  http2: false\n",
                "/etc/halfopen/web.yml:1: \"http_server_config\" is not "
                "supported by halfopen_exporter"},
        BadCase{"basic_auth_users:\n  alice: s3cret\n",
                "/etc/halfopen/web.yml:2: the password of \"alice\" is not a "
                "bcrypt hash ($2a$, $2b$ or $2y$, cost 4 to 31)"},
        BadCase{"tls_server_config:\n  cert_file: a\n",
                "/etc/halfopen/web.yml:1: tls_server_config needs cert_file "
                "and key_file"},
        BadCase{"tls_server_config:\n  cert_file: a\n  key_file: b\n"
                "  client_auth_type: Sometimes\n",
                "/etc/halfopen/web.yml:4: unknown client_auth_type "
                "\"Sometimes\""},
        BadCase{"tls_server_config:\n  cert_file: a\n  key_file: b\n"
                "  min_version: SSL3\n",
                "/etc/halfopen/web.yml:4: unknown min_version \"SSL3\": want "
                "TLS10, TLS11, TLS12 or TLS13"},
        BadCase{"tls_server_config:\n  cert_file: a\n  key_file: b\n"
                "  client_auth_type: RequireAndVerifyClientCert\n",
                "/etc/halfopen/web.yml:4: RequireAndVerifyClientCert needs "
                "client_ca_file"},
        BadCase{"tls_server_config: [\n",
                "/etc/halfopen/web.yml:2: end of "
                "sequence flow not found"},
        BadCase{"- just\n- a list\n",
                "/etc/halfopen/web.yml:1: want a mapping of keys"}));

TEST(WebConfig, UnreadableFileIsAnError) {
  WebConfig config;
  EXPECT_EQ(LoadWebConfig("/nonexistent/web.yml", &config).message(),
            "/nonexistent/web.yml: cannot read the web config file: No such "
            "file or directory");
}

}  // namespace
}  // namespace halfopen
