#include "kernel/interface_addresses.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace halfopen {

Status ListInterfaceAddresses(std::vector<InterfaceAddress>* addresses) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) {
    return Status::Error(std::string("getifaddrs: ") + std::strerror(errno));
  }
  addresses->clear();
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr) continue;
    InterfaceAddress address{};
    if (entry->ifa_addr->sa_family == AF_INET) {
      address.first = AF_INET;
      const auto* v4 = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
      std::memcpy(address.second.data(), &v4->sin_addr, 4);
    } else if (entry->ifa_addr->sa_family == AF_INET6) {
      address.first = AF_INET6;
      const auto* v6 = reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr);
      std::memcpy(address.second.data(), &v6->sin6_addr, 16);
    } else {
      continue;
    }
    addresses->push_back(address);
  }
  freeifaddrs(list);
  return Status::Ok();
}

std::string InterfaceName(std::uint32_t index) {
  char name[IF_NAMESIZE] = "";
  if (if_indextoname(index, name) == nullptr) {
    return "if" + std::to_string(index);
  }
  return name;
}

}  // namespace halfopen
