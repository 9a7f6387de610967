#include "kernel/reread_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "kernel/errno_text.h"

namespace halfopen {

RereadFile::~RereadFile() { Close(); }

RereadFile::RereadFile(RereadFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

RereadFile& RereadFile::operator=(RereadFile&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

Status RereadFile::Open(const std::string& path) {
  Close();
  path_ = path;
  fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    return Status::Error("cannot open " + path + ": " + ErrnoText(errno));
  }
  return Status::Ok();
}

void RereadFile::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

Status RereadFile::Read(std::vector<char>* buffer, std::string_view* text) {
  if (fd_ < 0) return Status::Error("not open");
  if (buffer->empty()) buffer->resize(16 * 1024);
  std::size_t used = 0;
  while (true) {
    if (used == buffer->size()) buffer->resize(buffer->size() * 2);
    const ssize_t got = pread(fd_, buffer->data() + used, buffer->size() - used,
                              static_cast<off_t>(used));
    if (got < 0) {
      if (errno == EINTR) continue;
      return Status::Error("cannot read " + path_ + ": " + ErrnoText(errno));
    }
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  *text = std::string_view(buffer->data(), used);
  return Status::Ok();
}

}  // namespace halfopen
