#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <regex>
#include <string>
#include <vector>

#include "base/status.h"

namespace halfopen {

/// Command-line flags, node_exporter style: `--name=value`, `--name value`,
/// and for booleans also `--name` / `--no-name`. Each flag is declared once,
/// with its type, and bound to the variable it sets; its default is that
/// variable's value at declaration. Parse() converts and checks every given
/// value, so a bad value stops the program at start-up whatever it
/// configures. The bound variables must outlive the FlagSet's Parse().
class FlagSet {
 public:
  void Bool(std::string name, std::string help, bool* value);
  /// A flag that asks for something (`--help`, `--version`): given alone, it
  /// sets *value to true. It takes no value and has no `--no-` form.
  void Action(std::string name, std::string help, bool* value);
  /// Lets `-letter` stand for `--name` (e.g. `-h` for `--help`).
  void Short(char letter, std::string name);
  void String(std::string name, std::string help, std::string* value);
  /// A string that must be one of `allowed`.
  void OneOf(std::string name, std::string help, std::string* value,
             std::vector<std::string> allowed);
  /// A string checked by `check`, which returns "" when the value is fine,
  /// else what is wrong with it, e.g. "want an absolute path".
  void Checked(std::string name, std::string help, std::string* value,
               std::function<std::string(const std::string&)> check);
  /// A finite number in [min, max].
  void Number(std::string name, std::string help, double* value, double min,
              double max);
  /// 0 (which turns something off), or a finite number in [min, max].
  void NumberOrZero(std::string name, std::string help, double* value,
                    double min, double max);
  /// A whole number in [min, max].
  template <typename Int>
  void WholeNumber(std::string name, std::string help, Int* value, Int min,
                   Int max);
  /// A regular expression (ECMAScript), compiled into *value; `pattern` is
  /// the default.
  void Regex(std::string name, std::string help, std::string pattern,
             std::regex* value);

  /// Parses argv[1..argc). On error returns a one-line message naming the
  /// offending flag, e.g. "unknown flag --bogus" or `invalid value "x" for
  /// flag --log.level: want one of debug info warn error`.
  Status Parse(int argc, const char* const* argv);

  /// True when `name` was given on the command line.
  bool Given(const std::string& name) const;

  /// The full help text: usage line, then each flag with help and default.
  std::string Help(const std::string& program) const;

 private:
  // Sets the flag from its text; returns "" or what is wrong ("want …").
  using Setter = std::function<std::string(const std::string&)>;
  // How a flag is written: with a value, as a switch (`--x`, `--no-x`,
  // `--x=false`) or as an action (`--x` only).
  enum class Kind { kValue, kSwitch, kAction };
  struct Flag {
    std::string name;
    std::string help;
    std::string default_text;
    Kind kind = Kind::kValue;
    Setter set;
  };

  void Add(std::string name, std::string help, std::string default_text,
           Kind kind, Setter set);
  Status ParseOne(const std::string& arg, int argc, const char* const* argv,
                  int* i);
  void AddNumber(std::string name, std::string help, std::string default_text,
                 double min, double max, bool whole,
                 std::function<void(double)> store);
  const Flag* Find(const std::string& name) const;
  Status Set(const Flag& flag, const std::string& value);

  std::vector<Flag> flags_;
  std::vector<std::pair<char, std::string>> shorts_;
  std::vector<std::string> given_;
};

template <typename Int>
void FlagSet::WholeNumber(std::string name, std::string help, Int* value,
                          Int min, Int max) {
  AddNumber(std::move(name), std::move(help), std::to_string(*value),
            static_cast<double>(min), static_cast<double>(max), true,
            [value](double parsed) { *value = static_cast<Int>(parsed); });
}

}  // namespace halfopen
