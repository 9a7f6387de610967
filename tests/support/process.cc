#include "tests/support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

namespace halfopen::testing {
namespace {

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

Process::Process(const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return;
  pid_ = fork();
  if (pid_ == 0) {
    dup2(fds[1], STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  stderr_fd_ = fds[0];
}

Process::~Process() {
  if (pid_ > 0) Stop(SIGKILL, std::chrono::seconds(5));
  if (stderr_fd_ >= 0) close(stderr_fd_);
}

void Process::Drain(int timeout_ms) {
  if (stderr_fd_ < 0) return;
  pollfd pfd{stderr_fd_, POLLIN, 0};
  if (poll(&pfd, 1, timeout_ms) <= 0) return;
  char buffer[4096];
  const ssize_t n = read(stderr_fd_, buffer, sizeof buffer);
  if (n > 0) {
    stderr_.append(buffer, static_cast<std::size_t>(n));
  } else {
    close(stderr_fd_);
    stderr_fd_ = -1;
  }
}

bool Process::WaitForStderrLine(const std::regex& pattern,
                                std::chrono::milliseconds timeout,
                                std::smatch* match) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::size_t newline;
    while ((newline = stderr_.find('\n', scanned_)) != std::string::npos) {
      last_line_ = stderr_.substr(scanned_, newline - scanned_);
      scanned_ = newline + 1;
      if (std::regex_search(last_line_, *match, pattern)) return true;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || stderr_fd_ < 0) return false;
    Drain(static_cast<int>(left.count()));
  }
}

std::string Process::Stderr() {
  Drain(0);
  return stderr_;
}

int Process::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      pid_ = -1;
      Drain(0);
      return DecodeStatus(status);
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    Drain(10);
    if (stderr_fd_ < 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

int Process::Stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  const int code = Wait(timeout);
  if (code == -1 && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  return code;
}

int RunCommand(const std::string& command, std::string* output) {
  output->clear();
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    output->append(buffer, n);
  }
  const int status = pclose(pipe);
  return DecodeStatus(status);
}

std::string ExporterPath() { return HALFOPEN_EXPORTER_PATH; }

bool PollUntil(const std::function<bool()>& done,
               std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

}  // namespace halfopen::testing
