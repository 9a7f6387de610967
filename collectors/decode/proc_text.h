#pragma once

#include <cstdint>
#include <string_view>

namespace halfopen {

/// The TCP line of a /proc/net/sockstat file.
struct TcpSockstat {
  std::uint64_t inuse = 0;  ///< Sockets in the hash tables: listeners too.
  std::uint64_t tw = 0;     ///< TIME_WAIT sockets.
};

/// Parses the "TCP: inuse N orphan N tw N alloc N mem N" line of a
/// /proc/net/sockstat text; false when there is none or it is malformed.
/// Pure.
bool ParseTcpSockstat(std::string_view sockstat, TcpSockstat* tcp);

/// The inode in the target of a /proc link to a kernel object of `kind`:
/// ("net:[4026531840]", "net") → 4026531840, ("socket:[123]", "socket") →
/// 123. False for any other text. Pure.
bool ParseInodeLink(std::string_view link, std::string_view kind,
                    std::uint64_t* inode);

/// True when a /proc entry's name is a process id: digits only. Pure.
bool IsPidName(std::string_view name);

}  // namespace halfopen
