#include "web/scrape_budget.h"

#include <algorithm>
#include <cstdlib>

namespace halfopen {
namespace {

constexpr double kMaxScrapeSeconds = 300;

}  // namespace

double ScrapeBudgetSeconds(const char* timeout_header, double default_seconds) {
  double seconds = default_seconds;
  if (timeout_header != nullptr) {
    char* end = nullptr;
    const double given = std::strtod(timeout_header, &end);
    if (end != timeout_header && *end == '\0' && given > 0) seconds = given;
  }
  seconds = std::min(seconds, kMaxScrapeSeconds);
  return seconds - std::min(0.5, seconds * 0.1);
}

}  // namespace halfopen
