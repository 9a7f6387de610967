#include "tests/support/http_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace halfopen::testing {
namespace {

HttpResponse Parse(const std::string& raw) {
  HttpResponse response;
  const auto end_of_headers = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/", 0) != 0 || end_of_headers == std::string::npos) {
    response.error = "malformed response: " + raw.substr(0, 80);
    return response;
  }
  response.status = std::atoi(raw.c_str() + raw.find(' ') + 1);
  response.headers = raw.substr(0, end_of_headers);
  response.body = raw.substr(end_of_headers + 4);
  return response;
}

}  // namespace

HttpResponse HttpGet(const std::string& host, int port,
                     const std::string& path) {
  return HttpRequest(host, port, "GET", path);
}

std::string HeaderValue(const HttpResponse& response, const std::string& name) {
  std::string lower_headers = response.headers, lower_name = name;
  for (char& c : lower_headers) c = static_cast<char>(std::tolower(c));
  for (char& c : lower_name) c = static_cast<char>(std::tolower(c));
  const auto at = lower_headers.find("\r\n" + lower_name + ":");
  if (at == std::string::npos) return "";
  const auto start = at + 2 + name.size() + 1;
  const auto end = response.headers.find("\r\n", start);
  std::string value = response.headers.substr(start, end - start);
  while (!value.empty() && value.front() == ' ') value.erase(0, 1);
  return value;
}

HttpResponse HttpRequest(const std::string& host, int port,
                         const std::string& method, const std::string& path,
                         const std::vector<std::string>& headers) {
  HttpResponse failed;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* resolved = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints,
                  &resolved) != 0) {
    failed.error = "cannot resolve " + host;
    return failed;
  }
  const int fd = socket(resolved->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (connect(fd, resolved->ai_addr, resolved->ai_addrlen) != 0) {
    failed.error = std::string("connect: ") + std::strerror(errno);
    freeaddrinfo(resolved);
    close(fd);
    return failed;
  }
  freeaddrinfo(resolved);
  std::string request =
      method + " " + path + " HTTP/1.0\r\nHost: " + host + "\r\n";
  for (const auto& header : headers) request += header + "\r\n";
  request += "Connection: close\r\n\r\n";
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    failed.error = std::string("send: ") + std::strerror(errno);
    close(fd);
    return failed;
  }
  std::string raw;
  char buffer[16384];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof buffer, 0)) > 0) {
    raw.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
  if (n < 0) {
    failed.error = std::string("recv: ") + std::strerror(errno);
    return failed;
  }
  return Parse(raw);
}

}  // namespace halfopen::testing
