#pragma once

#include <string>
#include <string_view>

namespace halfopen {

/// Bounds on a regular expression from a flag, checked before std::regex
/// sees it.
inline constexpr std::size_t kMaxRegexLength = 1024;
inline constexpr int kMaxRegexNesting = 32;
inline constexpr int kMaxRegexCount = 1000;       ///< In {n,m} and \n.
inline constexpr double kMaxRegexStates = 10000;  ///< Estimated, see below.

/// What is wrong with `pattern` as a flag's regular expression ("" when
/// nothing), before std::regex compiles it. libstdc++ overflows a signed
/// integer on a long count ({8888888888888888888}), builds an automaton as
/// large as the product of nested counts ((a{1000}){1000} is a million
/// states, held in memory and walked recursively on every match), and
/// recurses once per nested group. A command line must not exhaust memory
/// or the stack, so the count, the nesting and the automaton's estimated
/// size (each atom 1, a group the sum of its alternatives, a counted
/// repetition its atom times the upper count) are bounded. Syntax errors
/// are left to std::regex. Pure.
std::string RegexLimitProblem(std::string_view pattern);

}  // namespace halfopen
