#pragma once

#include <map>
#include <string>
#include <vector>

#include "collectors/base/status.h"

namespace halfopen {

/// One command-line flag, node_exporter style: `--name=value`,
/// `--name value`, and for booleans also `--name` / `--no-name`.
struct FlagSpec {
  std::string name;  ///< Without leading dashes, e.g. "web.listen-address".
  std::string help;
  std::string default_value;  ///< For booleans "true" or "false".
  bool is_bool = false;
};

/// The result of parsing: every flag's value (defaults filled in), keyed by
/// name, plus which flags were given explicitly.
struct ParsedFlags {
  std::map<std::string, std::string> values;
  std::vector<std::string> given;

  const std::string& Get(const std::string& name) const;
  bool Bool(const std::string& name) const { return Get(name) == "true"; }
};

/// A set of flag specs; parses argv against them and renders `--help`.
class FlagSet {
 public:
  void Add(FlagSpec spec);

  /// Parses argv[1..argc). On error returns a one-line message naming the
  /// offending flag, e.g. "unknown flag --bogus".
  Status Parse(int argc, const char* const* argv, ParsedFlags* out) const;

  /// The full help text: usage line, then each flag with help and default.
  std::string Help(const std::string& program) const;

  const std::vector<FlagSpec>& specs() const { return specs_; }

 private:
  const FlagSpec* Find(const std::string& name) const;
  Status ParseBool(const FlagSpec& spec, const std::string& value,
                   ParsedFlags* out) const;

  std::vector<FlagSpec> specs_;
};

}  // namespace halfopen
