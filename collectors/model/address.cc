#include "model/address.h"

#include <algorithm>
#include <cstdio>

namespace halfopen {
namespace {

constexpr std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0,    0,
                                            0, 0, 0, 0, 0xff, 0xff};

std::string FormatIpv4(const std::uint8_t* bytes) {
  char text[16];
  std::snprintf(text, sizeof text, "%u.%u.%u.%u", bytes[0], bytes[1], bytes[2],
                bytes[3]);
  return text;
}

// RFC 5952 as glibc's inet_ntop writes it: the longest run of two or more
// zero groups (the first of equal runs) becomes "::", and ::a.b.c.d and
// ::ffff:a.b.c.d end in dotted IPv4.
std::string FormatIpv6(const Address& address) {
  std::uint16_t groups[8];
  for (int i = 0; i < 8; ++i) {
    groups[i] =
        static_cast<std::uint16_t>(address[2 * i] << 8 | address[2 * i + 1]);
  }
  int best_start = -1, best_length = 0;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j == i ? i + 1 : j;
  }
  if (best_length < 2) best_start = -1;
  std::string text;
  char group[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      text += ':';
      i += best_length - 1;
      if (i == 7) text += ':';
      continue;
    }
    if (i > 0) text += ':';
    if (i == 6 && best_start == 0 &&
        (best_length == 6 || (best_length == 5 && groups[5] == 0xffff))) {
      return text + FormatIpv4(address.data() + 12);
    }
    std::snprintf(group, sizeof group, "%x", groups[i]);
    text += group;
  }
  return text;
}

}  // namespace

const char* FamilyLabel(std::uint8_t family) {
  if (family == kFamilyIpv4) return "ipv4";
  if (family == kFamilyIpv6) return "ipv6";
  return "other";
}

std::string FormatAddress(std::uint8_t family, const Address& address) {
  return family == kFamilyIpv4 ? FormatIpv4(address.data())
                               : FormatIpv6(address);
}

Address Canonical(std::uint8_t family, const Address& address) {
  if (family != kFamilyIpv4) return address;
  Address mapped{};
  std::copy(kMappedPrefix, kMappedPrefix + 12, mapped.begin());
  std::copy(address.begin(), address.begin() + 4, mapped.begin() + 12);
  return mapped;
}

bool IsMappedFrom(const Address& v6, const Address& v4) {
  return std::equal(kMappedPrefix, kMappedPrefix + 12, v6.begin()) &&
         std::equal(v4.begin(), v4.begin() + 4, v6.begin() + 12);
}

bool IsLoopback(std::uint8_t family, const Address& address) {
  const Address a = Canonical(family, address);
  const Address v4{a[12], a[13], a[14], a[15]};
  if (IsMappedFrom(a, v4)) return a[12] == 127;
  return IsUnspecified(a, 15) && a[15] == 1;
}

bool IsUnspecified(const Address& address, std::size_t size) {
  return std::all_of(address.begin(), address.begin() + size,
                     [](std::uint8_t b) { return b == 0; });
}

}  // namespace halfopen
