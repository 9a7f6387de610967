#pragma once

#include <string>
#include <vector>

namespace halfopen::testing {

/// What an HTTP/1.0 GET returned. status is -1 when the request failed at
/// the socket level (error then says why).
struct HttpResponse {
  int status = -1;
  std::string headers;
  std::string body;
  std::string error;
};

/// A blocking request over a real TCP connection, with a timeout of a few
/// seconds on every socket operation. `headers` are extra header lines,
/// each "Name: value".
HttpResponse HttpRequest(const std::string& host, int port,
                         const std::string& method, const std::string& path,
                         const std::vector<std::string>& headers = {});

/// HttpRequest() with GET.
HttpResponse HttpGet(const std::string& host, int port,
                     const std::string& path);

/// The value of header `name` (case-insensitive) in `response`, or "".
std::string HeaderValue(const HttpResponse& response, const std::string& name);

}  // namespace halfopen::testing
