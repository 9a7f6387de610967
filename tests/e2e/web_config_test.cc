// A bad --web.config.file stops the exporter at start with one line naming
// the file and line, and exit code 2.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/process.h"
#include "tests/support/tls_files.h"

namespace halfopen::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class WebConfigFlag : public ::testing::Test {
 protected:
  int Run(const std::string& config, std::string* output) {
    const std::string path = files_.Write("web.yml", config);
    return RunCommand(ExporterPath() +
                          " --web.listen-address=127.0.0.1:0"
                          " --web.config.file=" +
                          path,
                      output);
  }

  TlsFiles files_;
};

TEST_F(WebConfigFlag, UnknownKeyExitsTwoNamingTheLine) {
  std::string output;
  EXPECT_EQ(Run("tls_server_config:\n  cert_file: server.crt\n"
                "  key_file: server.key\n  min_versoin: TLS13\n",
                &output),
            2);
  EXPECT_EQ(output, "halfopen_exporter: " + files_.Path("web.yml") +
                        ":4: unknown key \"min_versoin\" in "
                        "tls_server_config\n");
}

TEST_F(WebConfigFlag, BadHashExitsTwoNamingTheLine) {
  std::string output;
  EXPECT_EQ(Run("basic_auth_users:\n  alice: plain-text\n", &output), 2);
  EXPECT_THAT(output, MatchesRegex("halfopen_exporter: .*/web.yml:2: the "
                                   "password of \"alice\" is not a bcrypt "
                                   "hash[^\n]*\n"));
}

TEST_F(WebConfigFlag, UnreadableFileExitsTwo) {
  std::string output;
  EXPECT_EQ(RunCommand(ExporterPath() + " --web.config.file=/nonexistent.yml",
                       &output),
            2);
  EXPECT_EQ(output,
            "halfopen_exporter: /nonexistent.yml: cannot read the web config "
            "file: No such file or directory\n");
}

TEST_F(WebConfigFlag, CertificateThatCannotBeLoadedExitsTwoNamingTheLine) {
  ASSERT_TRUE(files_.ok()) << files_.error();
  std::string output;
  EXPECT_EQ(Run("tls_server_config:\n  cert_file: missing.crt\n"
                "  key_file: server.key\n",
                &output),
            2);
  EXPECT_THAT(output, HasSubstr("/web.yml:2: cannot load " +
                                files_.Path("missing.crt")));
  EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1) << output;
}

}  // namespace
}  // namespace halfopen::testing
