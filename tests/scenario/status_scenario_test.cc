// The human views on a host in trouble: an accept queue that overflows,
// held by a process whose name looks like markup, and a peer that vanished
// under an idle keepalive connection. /status is loaded by Debian's headless
// Chromium, which also saves a screenshot; --once prints the same host as
// text and as JSON.

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/exporter_process.h"
#include "tests/support/exposition.h"
#include "tests/support/netns.h"
#include "tests/support/process.h"
#include "tests/support/sockets.h"

namespace halfopen::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kHost[] = "10.213.18.1";
constexpr char kPeer[] = "10.213.18.2";
// Escaped, it reads as itself; unescaped, it would open a <b> element.
constexpr char kMarkupName[] = "<b>x";

// This process's name (comm) set to `name` while it lives: the exporter
// names the holders of a listener's socket by their comm.
class ProcessName {
 public:
  explicit ProcessName(const char* name) {
    prctl(PR_GET_NAME, saved_);
    prctl(PR_SET_NAME, name);
  }
  ~ProcessName() { prctl(PR_SET_NAME, saved_); }

 private:
  char saved_[17] = {};
};

// Runs `command` inside `ns` bounded by `seconds`, its stderr dropped.
int ExecBounded(const NetNs& ns, const std::string& command, int seconds,
                std::string* output) {
  return ns.Exec("timeout -k 5 " + std::to_string(seconds) + " " + command +
                     " 2>/dev/null",
                 output);
}

std::string Chromium(const std::string& profile, const std::string& rest) {
  return "chromium --headless --no-sandbox --disable-gpu "
         "--no-first-run --hide-scrollbars --user-data-dir=" +
         profile + " " + rest;
}

// The text a person sees in `html`: tags dropped, a '|' where a cell ends,
// the entities the serializer writes decoded.
std::string TextContent(const std::string& html) {
  std::string text;
  for (std::size_t i = 0; i < html.size(); ++i) {
    if (html[i] == '<') {
      const std::size_t end = html.find('>', i);
      if (html.compare(i, 5, "</td>") == 0) text += '|';
      i = end == std::string::npos ? html.size() : end;
      continue;
    }
    text += html[i];
  }
  for (const auto& [entity, character] :
       {std::pair{"&lt;", "<"}, std::pair{"&gt;", ">"},
        std::pair{"&quot;", "\""}, std::pair{"&nbsp;", " "},
        std::pair{"&amp;", "&"}}) {
    for (std::size_t at = text.find(entity); at != std::string::npos;
         at = text.find(entity, at + 1)) {
      text.replace(at, std::string(entity).size(), character);
    }
  }
  return text;
}

// The table row of `html` that contains `needle`, as HTML.
std::string RowWith(const std::string& html, const std::string& needle) {
  const std::size_t at = html.find(needle);
  if (at == std::string::npos) return "";
  const std::size_t start = html.rfind("<tr", at);
  const std::size_t end = html.find("</tr>", at);
  if (start == std::string::npos || end == std::string::npos) return "";
  return html.substr(start, end + 5 - start);
}

class StatusScenario : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_NAMESPACES();
    std::string error;
    ASSERT_TRUE(host_.ok() && peer_.ok());
    ASSERT_TRUE(ConnectWithVeth(host_, kHost, peer_, kPeer, &error)) << error;
    ASSERT_EQ(AddInputRule(peer_), 0);
    char profile[] = "/tmp/halfopen-chromium-XXXXXX";
    ASSERT_NE(mkdtemp(profile), nullptr);
    profile_ = profile;
  }

  void TearDown() override {
    if (!profile_.empty()) std::filesystem::remove_all(profile_);
  }

  // listen(fd, 1) holds two connections; the third and later find it full.
  void OverflowAListener() {
    host_.Run([&] {
      listener_ = ListenTcp("127.0.0.1", 1, &port_);
      for (int i = 0; i < 4; ++i) {
        clients_.push_back(ConnectNonBlocking("127.0.0.1", port_));
      }
    });
    ASSERT_TRUE(listener_.valid());
  }

  // An idle connection with keepalive every second, to a peer that then
  // drops everything from this host without a word.
  void VanishAPeer() {
    int server_port = 0;
    peer_.Run([&] { peer_listener_ = ListenTcp(kPeer, 16, &server_port); });
    host_.Run([&] {
      keepalive_ = Fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
      const int one = 1, idle = 1, interval = 1, count = 20;
      setsockopt(keepalive_.get(), SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
      setsockopt(keepalive_.get(), IPPROTO_TCP, TCP_KEEPIDLE, &idle,
                 sizeof idle);
      setsockopt(keepalive_.get(), IPPROTO_TCP, TCP_KEEPINTVL, &interval,
                 sizeof interval);
      setsockopt(keepalive_.get(), IPPROTO_TCP, TCP_KEEPCNT, &count,
                 sizeof count);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_port = htons(static_cast<uint16_t>(server_port));
      inet_pton(AF_INET, kPeer, &address.sin_addr);
      if (connect(keepalive_.get(), reinterpret_cast<sockaddr*>(&address),
                  sizeof address) != 0) {
        keepalive_ = Fd();
      }
    });
    ASSERT_TRUE(keepalive_.valid());
    peer_server_ = Accept(peer_listener_);
    ASSERT_TRUE(peer_server_.valid());
    keepalive_port_ = LocalPort(keepalive_);
    ASSERT_EQ(peer_.Exec(std::string("nft add rule inet t in ip saddr ") +
                         kHost + " drop"),
              0);
  }

  std::string ListenerLabel() const {
    return "port=\"" + std::to_string(port_) + "\"";
  }

  NetNs host_{"status"};
  NetNs peer_{"statuspeer"};
  std::string profile_;
  Fd listener_, keepalive_, peer_listener_, peer_server_;
  std::vector<Fd> clients_;
  int port_ = 0, keepalive_port_ = 0;
};

TEST_F(StatusScenario, BrowserAndShellShowTheFullListenerAndTheSuspect) {
  ProcessName name(kMarkupName);
  OverflowAListener();
  VanishAPeer();
  ExporterProcess exporter({}, &host_);
  ASSERT_TRUE(exporter.started()) << exporter.process().Stderr();

  // Wait until /metrics has it all: the full queue, its holder's name, and
  // the suspect. /status renders those very series.
  const std::string suspect_port =
      "local_port=\"" + std::to_string(keepalive_port_) + "\"";
  bool ready = false;
  const std::string metrics = exporter.ScrapeUntil(
      [&](const std::string& b) {
        return FindSample(b, "halfopen_listen_queue_max_fill_ratio",
                          {ListenerLabel()})
                       .value_or(0) >= 1 &&
               FindSample(b, "halfopen_listen_process_info",
                          {ListenerLabel(), "comm=\"<b>x\""})
                   .has_value() &&
               FindSample(b, "halfopen_suspect_score",
                          {"reason=\"keepalive_unanswered\"", suspect_port})
                       .value_or(0) >= 0.5;
      },
      std::chrono::seconds(15), &ready);
  ASSERT_TRUE(ready) << metrics;

  const std::string port = std::to_string(port_);
  const std::string url =
      "http://127.0.0.1:" + std::to_string(exporter.port()) + "/status";
  const HttpResponse page = exporter.Get("/status");
  ASSERT_EQ(page.status, 200) << page.error;
  EXPECT_THAT(page.body, HasSubstr("&lt;b&gt;x ("));
  EXPECT_THAT(page.body, Not(HasSubstr(kMarkupName)));

  std::string dom;
  ASSERT_EQ(
      ExecBounded(host_, Chromium(profile_, "--dump-dom " + url), 60, &dom), 0)
      << dom;
  const std::string row = RowWith(dom, "127.0.0.1:" + port + "<");
  ASSERT_FALSE(row.empty()) << dom;
  // The bar is full and says 2 queued against a limit of 1.
  EXPECT_THAT(row, HasSubstr("<i class=\"full\" style=\"width:100%\"></i>"));
  EXPECT_THAT(TextContent(row),
              ContainsRegex("^127\\.0\\.0\\.1:" + port + "\\|2 / 1\\|100%\\|"));
  // The holder's name is text in the browser, not a <b> element.
  EXPECT_THAT(TextContent(row), HasSubstr("|<b>x ("));
  EXPECT_THAT(dom, Not(HasSubstr(kMarkupName)));
  const std::string suspect =
      TextContent(RowWith(dom, "port " + std::to_string(keepalive_port_)));
  EXPECT_THAT(suspect, ContainsRegex("^keepalive_unanswered\\|0\\.[5-9][0-9]*"
                                     "\\|established\\|port " +
                                     std::to_string(keepalive_port_) + "\\|"));

  // A picture for people: CI keeps it with the build.
  const std::filesystem::path artifacts = HALFOPEN_ARTIFACTS_DIR;
  std::filesystem::create_directories(artifacts);
  const std::string screenshot = (artifacts / "status.png").string();
  std::filesystem::remove(screenshot);
  std::string output;
  EXPECT_EQ(ExecBounded(host_,
                        Chromium(profile_,
                                 "--window-size=1280,1500 "
                                 "--screenshot=" +
                                     screenshot + " " + url),
                        60, &output),
            0)
      << output;
  std::ifstream png(screenshot, std::ios::binary);
  std::string magic(8, '\0');
  png.read(magic.data(), 8);
  EXPECT_EQ(magic, "\x89PNG\r\n\x1a\n") << screenshot;
  EXPECT_GT(std::filesystem::file_size(screenshot), 20000u);

  // The shell's view of the same host, by a second exporter run --once.
  std::string text;
  ASSERT_EQ(ExecBounded(host_, ExporterPath() + " --once", 30, &text), 0)
      << text;
  EXPECT_THAT(text, ContainsRegex("\n127\\.0\\.0\\.1:" + port +
                                  " +2 +1 +100% +[0-9]+ .*<b>x \\("));
  EXPECT_THAT(text, ContainsRegex("\nkeepalive_unanswered +0\\.[5-9][0-9]* +"
                                  "established +" +
                                  std::to_string(keepalive_port_) + " "));

  std::string json;
  ASSERT_EQ(ExecBounded(host_, ExporterPath() + " --once --once.format=json",
                        30, &json),
            0)
      << json;
  const std::string json_file = profile_ + "/once.json";
  std::ofstream(json_file) << json;
  std::string fields;
  ASSERT_EQ(RunCommand("python3 -c 'import json, sys; "
                       "d = json.load(open(sys.argv[1])); "
                       "l = [l for l in d[\"listeners\"] if l[\"port\"] == "
                       "sys.argv[2]][0]; "
                       "print(l[\"queue_length\"], l[\"queue_limit\"], "
                       "[p[\"comm\"] for p in l[\"processes\"]], "
                       "sorted({s[\"reason\"] for s in d[\"suspects\"] if "
                       "s[\"local_port\"] == sys.argv[3]}))' " +
                           json_file + " " + port + " " +
                           std::to_string(keepalive_port_),
                       &fields),
            0)
      << fields << json;
  EXPECT_EQ(fields, "2 1 ['<b>x'] ['keepalive_unanswered']\n");
}

}  // namespace
}  // namespace halfopen::testing
