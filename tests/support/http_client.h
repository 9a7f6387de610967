#pragma once

#include <string>

namespace halfopen::testing {

/// What an HTTP/1.0 GET returned. status is -1 when the request failed at
/// the socket level (error then says why).
struct HttpResponse {
  int status = -1;
  std::string headers;
  std::string body;
  std::string error;
};

/// A blocking GET of `path` from host:port over a real TCP connection, with
/// a timeout of a few seconds on every socket operation.
HttpResponse HttpGet(const std::string& host, int port,
                     const std::string& path);

}  // namespace halfopen::testing
