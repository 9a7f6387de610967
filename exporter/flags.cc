#include "exporter/flags.h"

#include <algorithm>
#include <sstream>

namespace halfopen {

const std::string& ParsedFlags::Get(const std::string& name) const {
  static const std::string kEmpty;
  auto it = values.find(name);
  return it == values.end() ? kEmpty : it->second;
}

void FlagSet::Add(FlagSpec spec) { specs_.push_back(std::move(spec)); }

const FlagSpec* FlagSet::Find(const std::string& name) const {
  for (const auto& spec : specs_) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

Status FlagSet::ParseBool(const FlagSpec& spec, const std::string& value,
                          ParsedFlags* out) const {
  if (value != "true" && value != "false") {
    return Status::Error("invalid value \"" + value + "\" for flag --" +
                         spec.name + ": want true or false");
  }
  out->values[spec.name] = value;
  return Status::Ok();
}

Status FlagSet::Parse(int argc, const char* const* argv,
                      ParsedFlags* out) const {
  for (const auto& spec : specs_) out->values[spec.name] = spec.default_value;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      return Status::Error("unexpected argument \"" + arg +
                           "\": flags start with --");
    }
    const auto eq = arg.find('=');
    const std::string name =
        arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const FlagSpec* spec = Find(name);
    if (spec == nullptr && eq == std::string::npos &&
        name.rfind("no-", 0) == 0) {
      const FlagSpec* negated = Find(name.substr(3));
      if (negated != nullptr && negated->is_bool) {
        out->given.push_back(negated->name);
        out->values[negated->name] = "false";
        continue;
      }
    }
    if (spec == nullptr) return Status::Error("unknown flag --" + name);
    out->given.push_back(spec->name);
    if (eq != std::string::npos) {
      const std::string value = arg.substr(eq + 1);
      if (spec->is_bool) {
        Status status = ParseBool(*spec, value, out);
        if (!status.ok()) return status;
        continue;
      }
      out->values[spec->name] = value;
    } else if (spec->is_bool) {
      out->values[spec->name] = "true";
    } else if (i + 1 < argc) {
      out->values[spec->name] = argv[++i];
    } else {
      return Status::Error("flag --" + name + " needs a value");
    }
  }
  return Status::Ok();
}

std::string FlagSet::Help(const std::string& program) const {
  std::ostringstream help;
  help << "usage: " << program << " [flags]\n\nFlags:\n";
  for (const auto& spec : specs_) {
    help << "  --";
    if (spec.is_bool) help << "[no-]";
    help << spec.name;
    if (!spec.is_bool) help << "=VALUE";
    help << "\n      " << spec.help << "\n      (default: "
         << (spec.default_value.empty() ? "\"\"" : spec.default_value) << ")\n";
  }
  return help.str();
}

}  // namespace halfopen
