#include "collectors/sockdiag/address_format.h"

#include <arpa/inet.h>
#include <sys/socket.h>

namespace halfopen {

const char* FamilyLabel(std::uint8_t family) {
  if (family == AF_INET) return "ipv4";
  if (family == AF_INET6) return "ipv6";
  return "other";
}

std::string FormatAddress(std::uint8_t family,
                          const std::array<std::uint8_t, 16>& address) {
  char text[INET6_ADDRSTRLEN] = "";
  if (inet_ntop(family == AF_INET ? AF_INET : AF_INET6, address.data(), text,
                sizeof text) == nullptr) {
    return "invalid";
  }
  return text;
}

}  // namespace halfopen
