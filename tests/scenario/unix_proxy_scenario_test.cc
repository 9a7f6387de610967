// A real proxy in front of a real backend on a Unix socket: nginx answering
// 502 for a backend whose queue is full, and the exporter naming the socket
// and its program.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/exporter_process.h"
#include "tests/support/exposition.h"
#include "tests/support/http_client.h"
#include "tests/support/netns.h"
#include "tests/support/process.h"
#include "tests/support/unix_sockets.h"

namespace halfopen::testing {
namespace {

using std::chrono::seconds;

std::string Label(const std::string& name, const std::string& value) {
  return name + "=\"" + value + "\"";
}

// A backend that bound its socket and then stopped accepting, as a stuck
// php-fpm or gunicorn does: Python, renamed so that its comm says who it is.
constexpr const char* kStuckBackend = R"(
import ctypes, socket, sys, time
ctypes.CDLL(None).prctl(15, b"hoe-backend", 0, 0, 0)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(int(sys.argv[2]))
print("listening", file=sys.stderr, flush=True)
time.sleep(3600)
)";

std::string NginxConfig(const std::string& dir, int port,
                        const std::string& backend) {
  return "daemon off;\nmaster_process off;\npid " + dir +
         "/nginx.pid;\nerror_log " + dir +
         "/error.log;\nevents { worker_connections 64; }\nhttp {\n"
         "  access_log off;\n"
         "  client_body_temp_path " +
         dir +
         "/body;\n"
         "  proxy_temp_path " +
         dir +
         "/proxy;\n"
         "  fastcgi_temp_path " +
         dir +
         "/fastcgi;\n"
         "  uwsgi_temp_path " +
         dir +
         "/uwsgi;\n"
         "  scgi_temp_path " +
         dir +
         "/scgi;\n"
         "  server {\n    listen 127.0.0.1:" +
         std::to_string(port) +
         ";\n    location / { proxy_pass http://unix:" + backend +
         ":; }\n"
         "  }\n}\n";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(UnixScenario, NginxAnswers502ForAFullBackendAndTheExporterNamesIt) {
  REQUIRE_NAMESPACES();
  std::string nginx;
  if (RunCommand("command -v nginx", &nginx) != 0) {
    if (RunningInCi()) FAIL() << "nginx is missing (install-deps.sh test)";
    GTEST_SKIP() << "nginx is missing (scripts/install-deps.sh test)";
  }
  NetNs ns("unixng");
  ASSERT_TRUE(ns.ok());
  TempDir dir;
  const std::string backend = dir.path() + "/app.sock";
  constexpr int kBacklog = 1;
  std::vector<std::string> argv = ns.Wrapper();
  for (const std::string& arg :
       {std::string("python3"), std::string("-c"), std::string(kStuckBackend),
        backend, std::to_string(kBacklog)}) {
    argv.push_back(arg);
  }
  Process stuck(argv);
  std::smatch match;
  ASSERT_TRUE(
      stuck.WaitForStderrLine(std::regex("listening"), seconds(10), &match))
      << stuck.Stderr();
  // Clients that got in before it stopped accepting fill its queue.
  std::vector<Fd> waiting;
  ns.Run([&] { ConnectUnix(SOCK_STREAM, backend, kBacklog + 1, &waiting); });
  ASSERT_EQ(waiting.size(), kBacklog + 1u);

  constexpr int kProxyPort = 18080;
  {
    std::ofstream config(dir.path() + "/nginx.conf");
    config << NginxConfig(dir.path(), kProxyPort, backend);
  }
  std::vector<std::string> nginx_argv = ns.Wrapper();
  for (const char* arg : {"nginx", "-c"}) nginx_argv.push_back(arg);
  nginx_argv.push_back(dir.path() + "/nginx.conf");
  Process proxy(nginx_argv);
  HttpResponse response;
  ASSERT_TRUE(PollUntil(
      [&] {
        response = ns.HttpGet("127.0.0.1", kProxyPort, "/");
        return response.status > 0;
      },
      seconds(10)))
      << proxy.Stderr() << ReadFile(dir.path() + "/error.log");
  EXPECT_EQ(response.status, 502);
  EXPECT_THAT(ReadFile(dir.path() + "/error.log"),
              ::testing::HasSubstr("connect() to unix:" + backend +
                                   " failed (11: Resource temporarily "
                                   "unavailable)"));

  ExporterProcess exporter({"--collector.disable-defaults", "--collector.unix"},
                           &ns);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();
  const std::vector<std::string> labels = {Label("path", backend),
                                           Label("type", "stream")};
  std::vector<std::string> owner = labels;
  owner.push_back(Label("comm", "hoe-backend"));
  owner.push_back(Label("pid", std::to_string(stuck.pid())));
  bool seen = false;
  const std::string body = exporter.ScrapeUntil(
      [&](const std::string& m) {
        return FindSample(m, "halfopen_unix_listen_process_info", owner)
            .has_value();
      },
      seconds(15), &seen);
  ASSERT_TRUE(seen) << body;
  EXPECT_EQ(
      FindSample(body, "halfopen_unix_listen_queue_max_fill_ratio", labels), 1);
  EXPECT_EQ(FindSample(body, "halfopen_unix_listen_queue_length", labels),
            kBacklog + 1);
  EXPECT_EQ(FindSample(body, "halfopen_unix_listen_queue_limit", labels),
            kBacklog);
}

}  // namespace
}  // namespace halfopen::testing
