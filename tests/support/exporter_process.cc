#include "tests/support/exporter_process.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <utility>

#include "tests/support/exposition.h"

namespace halfopen::testing {

ExporterProcess::ExporterProcess(const std::vector<std::string>& flags,
                                 const NetNs* netns,
                                 const std::vector<std::string>& wrapper)
    : netns_(netns) {
  std::vector<std::string> argv;
  if (netns != nullptr) argv = netns->Wrapper();
  argv.insert(argv.end(), wrapper.begin(), wrapper.end());
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
  HttpResponse response = netns_ != nullptr
                              ? netns_->HttpGet("127.0.0.1", port_, path)
                              : HttpGet("127.0.0.1", port_, path);
  // Every exposition any test scrapes must have each series once.
  if (response.status == 200 &&
      response.headers.find("version=0.0.4") != std::string::npos) {
    for (const std::string& duplicate : DuplicateSeries(response.body)) {
      ADD_FAILURE() << "series exported twice: " << duplicate;
    }
  }
  return response;
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

namespace {

// `text` as a single-quoted YAML scalar.
std::string YamlQuoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text)
    out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Splits a sample line into its series and its value.
std::pair<std::string, std::string> SplitSample(const std::string& line) {
  const auto space = line.rfind(' ');
  return {line.substr(0, space), line.substr(space + 1)};
}

}  // namespace

int PromtoolExpectQuery(const std::vector<std::string>& series,
                        const std::string& expr,
                        const std::vector<std::string>& expected,
                        std::string* output) {
  std::ostringstream test;
  test << "evaluation_interval: 1m\ntests:\n  - interval: 1m\n"
       << "    input_series:\n";
  for (const std::string& line : series) {
    const auto [name, value] = SplitSample(line);
    test << "      - series: " << YamlQuoted(name)
         << "\n        values: " << YamlQuoted(value + "x3") << "\n";
  }
  test << "    promql_expr_test:\n      - expr: " << YamlQuoted(expr)
       << "\n        eval_time: 1m\n        exp_samples:"
       << (expected.empty() ? " []" : "") << "\n";
  for (const std::string& line : expected) {
    const auto [name, value] = SplitSample(line);
    test << "          - labels: " << YamlQuoted(name)
         << "\n            value: " << value << "\n";
  }
  char path[] = "/tmp/halfopen-promtool-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return -1;
  close(fd);
  std::ofstream(path) << test.str();
  const int code =
      RunCommand(std::string("promtool test rules ") + path, output);
  *output += "\n" + test.str();
  unlink(path);
  return code;
}

}  // namespace halfopen::testing
