#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace halfopen {

/// Address families as Linux numbers them (AF_INET, AF_INET6), so that the
/// pure layers need no system header; a unit test checks them.
inline constexpr std::uint8_t kFamilyIpv4 = 2;
inline constexpr std::uint8_t kFamilyIpv6 = 10;

/// An IPv4 or IPv6 address in network byte order; IPv4 uses the first 4
/// bytes and leaves the rest zero.
using Address = std::array<std::uint8_t, 16>;

/// "ipv4" or "ipv6" for kFamilyIpv4 / kFamilyIpv6, "other" otherwise.
const char* FamilyLabel(std::uint8_t family);

/// The address in the text form inet_ntop() gives: "127.0.0.1", "::",
/// "fe80::1", "::ffff:10.0.0.1". Any family but kFamilyIpv4 is IPv6.
std::string FormatAddress(std::uint8_t family, const Address& address);

/// IPv4 addresses as ::ffff:a.b.c.d, IPv6 ones unchanged, so that both
/// families compare.
Address Canonical(std::uint8_t family, const Address& address);

/// True for ::ffff:a.b.c.d holding the IPv4 address `v4`.
bool IsMappedFrom(const Address& v6, const Address& v4);

/// True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104.
bool IsLoopback(std::uint8_t family, const Address& address);

/// True when the first `size` bytes are zero (0.0.0.0 with 4, :: with 16).
bool IsUnspecified(const Address& address, std::size_t size);

}  // namespace halfopen
