#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace halfopen {

/// An interface address: family (AF_INET or AF_INET6) and the address bytes
/// (IPv4 in the first 4).
using InterfaceAddress = std::pair<std::uint8_t, std::array<std::uint8_t, 16>>;

/// The addresses configured on this network namespace's interfaces
/// (getifaddrs). I/O only.
Status ListInterfaceAddresses(std::vector<InterfaceAddress>* addresses);

/// The name of this network namespace's interface `index` ("eth0"), or
/// "if<index>" when there is none (it went away). I/O only.
std::string InterfaceName(std::uint32_t index);

}  // namespace halfopen
