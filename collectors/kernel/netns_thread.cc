#include "kernel/netns_thread.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <future>
#include <utility>

#include "kernel/errno_text.h"

namespace halfopen {
namespace {

// Moves the calling thread into the namespace at `path`.
Status EnterNamespace(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::Error("cannot open " + path + ": " + ErrnoText(errno));
  }
  const int entered = setns(fd, CLONE_NEWNET);
  const int error_number = errno;
  close(fd);
  if (entered != 0) {
    return Status::Error("cannot enter the network namespace " + path +
                         ": setns: " + ErrnoText(error_number));
  }
  return Status::Ok();
}

}  // namespace

Status NetnsThread::Enter(const std::string& path,
                          std::unique_ptr<NetnsThread>* out) {
  std::unique_ptr<NetnsThread> thread(new NetnsThread());
  std::promise<Status> entered;
  std::future<Status> result = entered.get_future();
  NetnsThread* self = thread.get();
  thread->thread_ = std::thread([self, path, &entered] {
    Status status = EnterNamespace(path);
    const bool ok = status.ok();
    entered.set_value(std::move(status));
    if (ok) self->Loop();
  });
  Status status = result.get();
  if (!status.ok()) {
    thread->thread_.join();
    return status;
  }
  *out = std::move(thread);
  return Status::Ok();
}

NetnsThread::~NetnsThread() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void NetnsThread::Run(const std::function<void()>& work) {
  if (std::this_thread::get_id() == thread_.get_id()) {
    work();
    return;
  }
  std::lock_guard<std::mutex> one_at_a_time(run_mu_);
  std::unique_lock<std::mutex> lock(mu_);
  work_ = &work;
  const std::uint64_t target = finished_ + 1;
  changed_.notify_all();
  changed_.wait(lock, [&] { return finished_ >= target; });
  if (thrown_) std::rethrow_exception(std::exchange(thrown_, nullptr));
}

void NetnsThread::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    changed_.wait(lock, [&] { return stop_ || work_ != nullptr; });
    if (work_ == nullptr) return;  // Stopped with nothing to do.
    const std::function<void()>* work = work_;
    lock.unlock();
    std::exception_ptr thrown;
    try {
      (*work)();
    } catch (...) {
      thrown = std::current_exception();
    }
    lock.lock();
    thrown_ = thrown;
    work_ = nullptr;
    ++finished_;
    changed_.notify_all();
  }
}

bool NamespaceInode(const std::string& path, std::uint64_t* inode,
                    int* error_number) {
  struct stat status;
  if (stat(path.c_str(), &status) != 0) {
    *error_number = errno;
    return false;
  }
  *inode = static_cast<std::uint64_t>(status.st_ino);
  return true;
}

bool HasNamespacePrivileges() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  auto has = [&](int capability) {
    return (data[capability / 32].effective & (1u << (capability % 32))) != 0;
  };
  return has(CAP_SYS_ADMIN) && has(CAP_SYS_PTRACE);
}

}  // namespace halfopen
