#include "kernel/procfs_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace halfopen {

std::string ProcfsReader::PathOf(const std::string& relative) const {
  if (!root_.empty() && root_.back() == '/') return root_ + relative;
  return root_ + "/" + relative;
}

bool ProcfsReader::Exists(const std::string& relative) const {
  return access(PathOf(relative).c_str(), F_OK) == 0;
}

Status ProcfsReader::Read(const std::string& relative,
                          std::string* text) const {
  const std::string path = PathOf(relative);
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::Error("cannot read " + path + ": " + std::strerror(errno));
  }
  text->clear();
  char buffer[16384];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0) {
      text->append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      const int error = errno;
      close(fd);
      return Status::Error("cannot read " + path + ": " + std::strerror(error));
    }
  }
  close(fd);
  return Status::Ok();
}

bool ProcfsReader::ReadLink(const std::string& relative, std::string* target,
                            int* error_number) const {
  char buffer[256];
  const ssize_t n =
      readlink(PathOf(relative).c_str(), buffer, sizeof buffer - 1);
  if (n < 0) {
    *error_number = errno;
    return false;
  }
  target->assign(buffer, static_cast<std::size_t>(n));
  return true;
}

Status ProcfsReader::List(const std::string& relative,
                          std::vector<std::string>* names) const {
  const std::string path = relative.empty() ? root_ : PathOf(relative);
  DIR* directory = opendir(path.c_str());
  if (directory == nullptr) {
    return Status::Error("cannot list " + path + ": " + std::strerror(errno));
  }
  names->clear();
  while (const dirent* entry = readdir(directory)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names->push_back(name);
  }
  closedir(directory);
  return Status::Ok();
}

}  // namespace halfopen
