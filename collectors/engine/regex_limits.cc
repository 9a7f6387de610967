#include "engine/regex_limits.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace halfopen {
namespace {

// The size estimate of one group while it is being read.
struct Group {
  double alternatives = 0;  // Alternatives before the current one.
  double sequence = 0;      // The current alternative so far.
  double last_atom = 0;     // What a quantifier here would repeat.

  void Add(double atom) {
    last_atom = atom;
    sequence += atom;
  }
  // The last atom repeated `times` in all.
  void Repeat(double times) {
    sequence += last_atom * (times - 1);
    last_atom *= times;
  }
  double Size() const { return alternatives + sequence; }
};

bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)); }

// Reads the digits at pattern[*i]; false when there are more than a count
// can have. *value is -1 when there is no digit.
bool ReadCount(std::string_view pattern, std::size_t* i, long* value) {
  *value = -1;
  std::size_t digits = 0;
  while (*i < pattern.size() && IsDigit(pattern[*i])) {
    if (++digits > 4) return false;
    *value = (*value < 0 ? 0 : *value * 10) + (pattern[*i] - '0');
    ++*i;
  }
  return true;
}

// Reads "{n}", "{n,}" or "{n,m}" at pattern[*i] (the brace): *times is how
// many the atom stands for at most (n + 1 when unbounded), 0 when this is
// no counted repetition.
std::string ReadBraces(std::string_view pattern, std::size_t* i,
                       double* times) {
  *times = 0;
  std::size_t at = *i + 1;
  long low = -1;
  long high = -1;
  const std::string too_large =
      "a repetition count is over " + std::to_string(kMaxRegexCount);
  if (!ReadCount(pattern, &at, &low)) return too_large;
  if (low < 0) return "";
  if (at < pattern.size() && pattern[at] == ',') {
    ++at;
    if (!ReadCount(pattern, &at, &high)) return too_large;
  } else {
    high = low;
  }
  if (at >= pattern.size() || pattern[at] != '}') return "";
  if (low > kMaxRegexCount || high > kMaxRegexCount) return too_large;
  *times = static_cast<double>(high < 0 ? low + 1 : std::max(high, 1L));
  *i = at;
  return "";
}

// Skips a bracket expression starting at pattern[*i] ('['), leaving *i on
// its closing ']' (or the end). In std::regex's ECMAScript grammar a ']'
// right after "[" or "[^" closes the class ("[]" matches nothing, "[^]"
// anything), unlike POSIX, where it would be a member: reading it as a
// member hid what follows, such as a back-reference libstdc++ overflows on.
void SkipBrackets(std::string_view pattern, std::size_t* i) {
  std::size_t at = *i + 1;
  if (at < pattern.size() && pattern[at] == '^') ++at;
  while (at < pattern.size() && pattern[at] != ']') {
    at += pattern[at] == '\\' ? 2 : 1;
  }
  *i = at;
}

}  // namespace

std::string RegexLimitProblem(std::string_view pattern) {
  if (pattern.size() > kMaxRegexLength) {
    return "want at most " + std::to_string(kMaxRegexLength) + " characters";
  }
  std::vector<Group> groups(1);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    Group& group = groups.back();
    const char c = pattern[i];
    if (c == '\\') {
      std::size_t at = i + 1;
      long reference = -1;
      if (!ReadCount(pattern, &at, &reference) || reference > kMaxRegexCount) {
        return "a back-reference is over " + std::to_string(kMaxRegexCount);
      }
      i = reference >= 0 ? at - 1 : i + 1;
      group.Add(1);
    } else if (c == '[') {
      SkipBrackets(pattern, &i);
      group.Add(1);
    } else if (c == '(') {
      if (static_cast<int>(groups.size()) > kMaxRegexNesting) {
        return "want groups nested at most " +
               std::to_string(kMaxRegexNesting) + " deep";
      }
      if (i + 1 < pattern.size() && pattern[i + 1] == '?') i += 2;
      groups.emplace_back();
    } else if (c == ')' && groups.size() > 1) {
      const double size = group.Size() + 1;
      groups.pop_back();
      groups.back().Add(size);
    } else if (c == '|') {
      group.alternatives += group.sequence;
      group.sequence = 0;
      group.last_atom = 0;
    } else if (c == '*' || c == '+' || c == '?') {
      group.Repeat(2);
    } else if (c == '{') {
      double times = 0;
      const std::string problem = ReadBraces(pattern, &i, &times);
      if (!problem.empty()) return problem;
      if (times > 0) {
        group.Repeat(times);
      } else {
        group.Add(1);
      }
    } else {
      group.Add(1);
    }
    double total = 0;
    for (const Group& open : groups) total += open.Size();
    if (total > kMaxRegexStates) {
      return "too complex: nested repetitions make over " +
             std::to_string(static_cast<int>(kMaxRegexStates)) + " states";
    }
  }
  return "";
}

}  // namespace halfopen
