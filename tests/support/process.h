#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <regex>
#include <string>
#include <vector>

namespace halfopen::testing {

/// A child process started with a command line, its stderr captured through
/// a pipe. Destroying a running Process sends SIGKILL to its PID and reaps it.
class Process {
 public:
  /// Starts argv[0] (a path, or a name searched in PATH) with the given
  /// arguments. On failure pid() is -1.
  explicit Process(const std::vector<std::string>& argv);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }

  /// Reads stderr until a line matches `pattern` or `timeout` passes, or the
  /// child closes stderr. Returns true on a match and fills *match.
  bool WaitForStderrLine(const std::regex& pattern,
                         std::chrono::milliseconds timeout, std::smatch* match);

  /// Sends `signal` and waits up to `timeout` for the exit. Returns the exit
  /// code, 128+signal when killed by one, or -1 on timeout (then it is
  /// killed with SIGKILL).
  int Stop(int signal, std::chrono::milliseconds timeout);

  /// Waits for the child to exit on its own; same return values as Stop().
  int Wait(std::chrono::milliseconds timeout);

  /// Everything read from stderr so far (reads whatever is pending first).
  std::string Stderr();

 private:
  void Drain(int timeout_ms);

  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  std::string stderr_;
  std::size_t scanned_ = 0;
  std::string last_line_;  // The line a returned std::smatch points into.
};

/// Runs a shell command to completion; returns its exit code and sets
/// *output to its combined stdout and stderr.
int RunCommand(const std::string& command, std::string* output);

/// The exporter binary under test (set by CMake).
std::string ExporterPath();

/// Asks `done` every 50 ms until it holds or `timeout` has passed; returns
/// whether it held.
bool PollUntil(const std::function<bool()>& done,
               std::chrono::milliseconds timeout);

}  // namespace halfopen::testing
