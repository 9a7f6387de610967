#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace halfopen {

/// "ipv4" or "ipv6" for AF_INET / AF_INET6, "other" otherwise.
const char* FamilyLabel(std::uint8_t family);

/// The address in its usual text form ("127.0.0.1", "::", "::ffff:10.0.0.1").
std::string FormatAddress(std::uint8_t family,
                          const std::array<std::uint8_t, 16>& address);

}  // namespace halfopen
