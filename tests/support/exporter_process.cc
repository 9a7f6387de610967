#include "tests/support/exporter_process.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <thread>

namespace halfopen::testing {

ExporterProcess::ExporterProcess(const std::vector<std::string>& flags,
                                 const NetNs* netns)
    : netns_(netns) {
  std::vector<std::string> argv;
  if (netns != nullptr) argv = netns->Wrapper();
  argv.push_back(ExporterPath());
  argv.push_back("--web.listen-address=127.0.0.1:0");
  argv.insert(argv.end(), flags.begin(), flags.end());
  process_ = std::make_unique<Process>(argv);
  std::smatch match;
  const std::regex listening(
      "msg=\"listening\" .* "
      "port=(\\d+)|\"msg\":\"listening\".*\"port\":(\\d+)");
  if (process_->WaitForStderrLine(listening, std::chrono::seconds(20),
                                  &match)) {
    port_ = std::stoi(match[1].matched ? match[1] : match[2]);
  }
}

HttpResponse ExporterProcess::Get(const std::string& path) const {
  if (netns_ != nullptr) return netns_->HttpGet("127.0.0.1", port_, path);
  return HttpGet("127.0.0.1", port_, path);
}

HttpResponse ExporterProcess::Request(
    const std::string& method, const std::string& path,
    const std::vector<std::string>& headers) const {
  return HttpRequest("127.0.0.1", port_, method, path, headers);
}

std::string ExporterProcess::ScrapeUntil(
    const std::function<bool(const std::string&)>& done,
    std::chrono::milliseconds timeout, bool* satisfied) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string body;
  *satisfied = false;
  while (!*satisfied && std::chrono::steady_clock::now() < deadline) {
    const HttpResponse response = Get("/metrics");
    if (response.status != 200) break;
    body = response.body;
    *satisfied = done(body);
    if (!*satisfied) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return body;
}

int PromtoolCheckMetrics(const std::string& exposition, std::string* output) {
  char path[] = "/tmp/halfopen-exposition-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return -1;
  close(fd);
  std::ofstream(path) << exposition;
  const int code =
      RunCommand(std::string("promtool check metrics < ") + path, output);
  unlink(path);
  return code;
}

}  // namespace halfopen::testing
