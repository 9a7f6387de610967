#include "sources/netns_io.h"

namespace halfopen {

NetnsIo::NetnsIo(const std::string& procfs) : net_(procfs), sys_(procfs) {}

NetnsIo::NetnsIo(const std::string& procfs, std::unique_ptr<NetnsThread> thread)
    : thread_(std::move(thread)),
      net_(ProcfsReader(procfs).PathOf("thread-self")),
      sys_(procfs) {}

void NetnsIo::Run(const std::function<void()>& work) {
  if (thread_ == nullptr) {
    work();
  } else {
    thread_->Run(work);
  }
}

}  // namespace halfopen
