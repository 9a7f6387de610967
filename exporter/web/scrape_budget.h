#pragma once

namespace halfopen {

/// Seconds the collection may take for a scrape that allows `timeout_header`
/// seconds (the value of X-Prometheus-Scrape-Timeout-Seconds, or
/// `default_seconds` when it is absent or not a positive number; at most
/// 300): 0.5 s less, or 10% less under 5 s, to leave time to send the
/// answer.
double ScrapeBudgetSeconds(const char* timeout_header, double default_seconds);

}  // namespace halfopen
