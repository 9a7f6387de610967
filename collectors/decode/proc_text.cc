#include "decode/proc_text.h"

#include <algorithm>

#include "base/numbers.h"

namespace halfopen {
namespace {

// The whole number after `key ` in `line`, e.g. "tw" in "... tw 3 ...".
bool FieldAfter(std::string_view line, std::string_view key,
                std::uint64_t* value) {
  std::size_t at = 0;
  while ((at = line.find(key, at)) != std::string_view::npos) {
    const bool starts_word = at == 0 || line[at - 1] == ' ';
    const std::size_t end = at + key.size();
    if (starts_word && end < line.size() && line[end] == ' ') {
      std::string_view rest = line.substr(end + 1);
      rest = rest.substr(0, rest.find(' '));
      double number = 0;
      if (!ParseWholeNumber(rest, &number) || number < 0) return false;
      *value = static_cast<std::uint64_t>(number);
      return true;
    }
    at = end;
  }
  return false;
}

}  // namespace

bool ParseTcpSockstat(std::string_view sockstat, TcpSockstat* tcp) {
  while (!sockstat.empty()) {
    const std::size_t newline = sockstat.find('\n');
    const std::string_view line = sockstat.substr(0, newline);
    sockstat =
        newline == std::string_view::npos ? "" : sockstat.substr(newline + 1);
    if (line.substr(0, 5) != "TCP: ") continue;
    return FieldAfter(line, "inuse", &tcp->inuse) &&
           FieldAfter(line, "tw", &tcp->tw);
  }
  return false;
}

bool ParseInodeLink(std::string_view link, std::string_view kind,
                    std::uint64_t* inode) {
  const std::size_t open = kind.size() + 2;  // "kind:["
  if (link.size() <= open || link.substr(0, kind.size()) != kind ||
      link.substr(kind.size(), 2) != ":[" || link.back() != ']') {
    return false;
  }
  double number = 0;
  if (!ParseWholeNumber(link.substr(open, link.size() - open - 1), &number) ||
      number <= 0) {
    return false;
  }
  *inode = static_cast<std::uint64_t>(number);
  return true;
}

bool IsPidName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
}

}  // namespace halfopen
