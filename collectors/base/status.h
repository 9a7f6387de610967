#pragma once

#include <string>
#include <utility>

namespace halfopen {

/// The outcome of an operation that can fail on bad input or I/O: either ok,
/// or an error carrying a one-line human-readable message. Cheap to copy when
/// ok. Used instead of exceptions everywhere on the data path.
class Status {
 public:
  Status() = default;

  static Status Ok() { return Status(); }
  static Status Error(std::string message) {
    return Status(false, std::move(message));
  }

  bool ok() const { return ok_; }
  /// Empty when ok().
  const std::string& message() const { return message_; }

 private:
  Status(bool ok, std::string message)
      : ok_(ok), message_(std::move(message)) {}

  bool ok_ = true;
  std::string message_;
};

}  // namespace halfopen
