#include "tests/support/unix_sockets.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <filesystem>

namespace halfopen::testing {
namespace {

sockaddr_un Address(const std::string& name, socklen_t* length) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, name.data(),
              std::min(name.size(), sizeof address.sun_path - 1));
  // An abstract name (leading NUL) is exactly its bytes; a path ends at NUL.
  *length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) +
                                   name.size() + (name[0] == '\0' ? 0 : 1));
  return address;
}

}  // namespace

TempDir::TempDir() {
  char name[] = "/tmp/hoe-unix-XXXXXX";
  path_ = mkdtemp(name) != nullptr ? name : "";
}

TempDir::~TempDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

Fd ListenUnix(int type, const std::string& name, int backlog) {
  Fd fd(socket(AF_UNIX, type, 0));
  socklen_t length = 0;
  const sockaddr_un address = Address(name, &length);
  if (!fd.valid() ||
      bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), length) !=
          0 ||
      listen(fd.get(), backlog) != 0) {
    return Fd();
  }
  return fd;
}

int ConnectUnix(int type, const std::string& name, int count,
                std::vector<Fd>* clients) {
  int refused = 0;
  for (int i = 0; i < count; ++i) {
    Fd fd(socket(AF_UNIX, type | SOCK_NONBLOCK, 0));
    socklen_t length = 0;
    const sockaddr_un address = Address(name, &length);
    if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&address),
                length) == 0) {
      clients->push_back(std::move(fd));
    } else if (errno == EAGAIN) {
      ++refused;
    }
  }
  return refused;
}

}  // namespace halfopen::testing
