#include "engine/flags.h"

#include <cmath>
#include <sstream>

#include "base/numbers.h"
#include "base/quoted.h"
#include "engine/regex_limits.h"

namespace halfopen {
namespace {

// The shortest text that reads back as `value`: "0.5", "600", "1e+09".
std::string FormatNumber(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

std::string RangeText(double min, double max, bool whole) {
  return std::string(whole ? "want a whole number" : "want a number") +
         " from " + FormatNumber(min) + " to " + FormatNumber(max);
}

}  // namespace

void FlagSet::Add(std::string name, std::string help, std::string default_text,
                  Kind kind, Setter set) {
  flags_.push_back({std::move(name), std::move(help), std::move(default_text),
                    kind, std::move(set)});
}

void FlagSet::Bool(std::string name, std::string help, bool* value) {
  Add(std::move(name), std::move(help), *value ? "true" : "false",
      Kind::kSwitch, [value](const std::string& text) -> std::string {
        if (text != "true" && text != "false") return "want true or false";
        *value = text == "true";
        return "";
      });
}

void FlagSet::Action(std::string name, std::string help, bool* value) {
  Add(std::move(name), std::move(help), "", Kind::kAction,
      [value](const std::string&) {
        *value = true;
        return std::string();
      });
}

void FlagSet::Short(char letter, std::string name) {
  shorts_.emplace_back(letter, std::move(name));
}

void FlagSet::String(std::string name, std::string help, std::string* value) {
  Add(std::move(name), std::move(help), *value, Kind::kValue,
      [value](const std::string& text) {
        *value = text;
        return std::string();
      });
}

void FlagSet::OneOf(std::string name, std::string help, std::string* value,
                    std::vector<std::string> allowed) {
  Checked(std::move(name), std::move(help), value,
          [allowed = std::move(allowed)](const std::string& text) {
            std::string want = "want one of";
            for (const auto& candidate : allowed) {
              if (text == candidate) return std::string();
              want += " " + candidate;
            }
            return want;
          });
}

void FlagSet::Checked(std::string name, std::string help, std::string* value,
                      std::function<std::string(const std::string&)> check) {
  Add(std::move(name), std::move(help), *value, Kind::kValue,
      [value, check = std::move(check)](const std::string& text) {
        std::string problem = check(text);
        if (problem.empty()) *value = text;
        return problem;
      });
}

void FlagSet::Number(std::string name, std::string help, double* value,
                     double min, double max) {
  AddNumber(std::move(name), std::move(help), FormatNumber(*value), min, max,
            false, [value](double parsed) { *value = parsed; });
}

void FlagSet::NumberOrZero(std::string name, std::string help, double* value,
                           double min, double max) {
  Add(std::move(name), std::move(help), FormatNumber(*value), Kind::kValue,
      [=](const std::string& text) {
        double parsed = 0;
        if (!ParseDecimal(text, &parsed) ||
            (parsed != 0 && (parsed < min || parsed > max))) {
          return "want 0 (off) or " + RangeText(min, max, false).substr(5);
        }
        *value = parsed;
        return std::string();
      });
}

void FlagSet::AddNumber(std::string name, std::string help,
                        std::string default_text, double min, double max,
                        bool whole, std::function<void(double)> store) {
  Add(std::move(name), std::move(help), std::move(default_text), Kind::kValue,
      [=](const std::string& text) {
        double parsed = 0;
        const bool ok = whole ? ParseWholeNumber(text, &parsed)
                              : ParseDecimal(text, &parsed);
        if (!ok || parsed < min || parsed > max) {
          return RangeText(min, max, whole);
        }
        store(parsed);
        return std::string();
      });
}

void FlagSet::Regex(std::string name, std::string help, std::string pattern,
                    std::regex* value) {
  *value = std::regex(pattern);
  Add(std::move(name), std::move(help), std::move(pattern), Kind::kValue,
      [value](const std::string& text) -> std::string {
        if (std::string problem = RegexLimitProblem(text); !problem.empty()) {
          return "want a regular expression (" + problem + ")";
        }
        try {
          *value = std::regex(text);
        } catch (const std::regex_error& e) {
          return std::string("want a regular expression (") + e.what() + ")";
        }
        return "";
      });
}

const FlagSet::Flag* FlagSet::Find(const std::string& name) const {
  for (const auto& flag : flags_) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

Status FlagSet::Set(const Flag& flag, const std::string& value) {
  const std::string problem = flag.set(value);
  if (problem.empty()) return Status::Ok();
  return Status::Error("invalid value " + Quoted(value) + " for flag --" +
                       flag.name + ": " + Escaped(problem));
}

bool FlagSet::Given(const std::string& name) const {
  for (const auto& given : given_) {
    if (given == name) return true;
  }
  return false;
}

Status FlagSet::Parse(int argc, const char* const* argv) {
  given_.clear();
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    for (const auto& [letter, name] : shorts_) {
      if (arg == std::string{'-', letter}) arg = "--" + name;
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      return Status::Error("unexpected argument " + Quoted(arg) +
                           ": flags start with --");
    }
    Status status = ParseOne(arg, argc, argv, &i);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

Status FlagSet::ParseOne(const std::string& arg, int argc,
                         const char* const* argv, int* i) {
  const auto eq = arg.find('=');
  const std::string name =
      arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
  const Flag* flag = Find(name);
  if (flag == nullptr && eq == std::string::npos && name.rfind("no-", 0) == 0) {
    const Flag* negated = Find(name.substr(3));
    if (negated != nullptr && negated->kind == Kind::kSwitch) {
      given_.push_back(negated->name);
      negated->set("false");
      return Status::Ok();
    }
  }
  if (flag == nullptr) return Status::Error("unknown flag --" + Escaped(name));
  given_.push_back(flag->name);
  std::string value;
  if (flag->kind == Kind::kAction) {
    if (eq != std::string::npos) {
      return Status::Error("flag --" + flag->name + " takes no value");
    }
  } else if (eq != std::string::npos) {
    value = arg.substr(eq + 1);
  } else if (flag->kind == Kind::kSwitch) {
    value = "true";
  } else if (*i + 1 < argc) {
    value = argv[++*i];
  } else {
    return Status::Error("flag --" + flag->name + " needs a value");
  }
  return Set(*flag, value);
}

std::string FlagSet::Help(const std::string& program) const {
  std::ostringstream help;
  help << "usage: " << program << " [flags]\n\nFlags:\n";
  for (const auto& flag : flags_) {
    help << "  ";
    for (const auto& [letter, name] : shorts_) {
      if (name == flag.name) help << "-" << letter << ", ";
    }
    help << "--";
    if (flag.kind == Kind::kSwitch) help << "[no-]";
    help << flag.name;
    if (flag.kind == Kind::kValue) help << "=VALUE";
    help << "\n      " << flag.help << "\n";
    if (flag.kind != Kind::kAction) {
      help << "      (default: "
           << (flag.default_text.empty() ? "\"\"" : flag.default_text) << ")\n";
    }
  }
  return help.str();
}

}  // namespace halfopen
