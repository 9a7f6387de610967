#pragma once

#include <string>
#include <string_view>

namespace halfopen {

/// A kernel counter name in snake_case, splitting before each capital that
/// starts a word and at the end of an acronym: "ListenOverflows" →
/// "listen_overflows", "TCPReqQFullDrop" → "tcp_req_q_full_drop".
std::string SnakeCase(std::string_view camel);

}  // namespace halfopen
