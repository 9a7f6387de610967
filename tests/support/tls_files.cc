#include "tests/support/tls_files.h"

#include <stdlib.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/support/process.h"

namespace halfopen::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TlsFiles::TlsFiles() {
  char dir[] = "/tmp/halfopen-tls-XXXXXX";
  dir_ = mkdtemp(dir);
  const std::string commands =
      "(cd " + dir_ + " && " +
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca "
      "-keyout ca.key -out ca.crt && "
      "openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 "
      "-keyout server.key -out server.csr && "
      "printf 'subjectAltName=IP:127.0.0.1\\n' > server.ext && "
      "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key "
      "-CAcreateserial -days 2 -extfile server.ext -out server.crt && "
      "openssl req -newkey rsa:2048 -nodes -subj /CN=scraper "
      "-keyout client.key -out client.csr && "
      "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key "
      "-CAcreateserial -days 2 -out client.crt && "
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=stranger "
      "-keyout stranger.key -out stranger.crt)";
  ok_ = RunCommand(commands, &error_) == 0;
}

TlsFiles::~TlsFiles() {
  std::string ignored;
  RunCommand("rm -rf " + dir_, &ignored);
}

std::string TlsFiles::Write(const std::string& file,
                            const std::string& text) const {
  std::ofstream(Path(file)) << text;
  return Path(file);
}

int TlsFiles::Curl(int port, const std::string& path, const std::string& extra,
                   int* status, std::string* body) const {
  const std::string body_file = Path("curl-body");
  std::remove(body_file.c_str());
  std::string output;
  const int code = RunCommand(
      "curl -s --max-time 10 -o " + body_file + " -w '%{http_code}' --cacert " +
          Path("ca.crt") + " " + extra +
          " https://127.0.0.1:" + std::to_string(port) + path,
      &output);
  *status = std::atoi(output.c_str());
  *body = ReadAll(body_file);
  return code;
}

}  // namespace halfopen::testing
