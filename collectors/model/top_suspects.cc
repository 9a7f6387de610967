#include "model/top_suspects.h"

#include <algorithm>
#include <tuple>

namespace halfopen {
namespace {

// Orders suspects best first: higher score, then sooner give-up, then the
// endpoints, so that equal scores rank the same on every scrape.
bool Better(const Suspect& a, const Suspect& b) {
  return std::tie(b.score, a.eta_seconds, a.local_port, a.peer_port,
                  a.local_address, a.peer_address) <
         std::tie(a.score, b.eta_seconds, b.local_port, b.peer_port,
                  b.local_address, b.peer_address);
}

bool SameSeries(const Suspect& a, const Suspect& b, bool with_addresses) {
  return a.reason == b.reason && a.state == b.state &&
         a.local_port == b.local_port && a.peer_port == b.peer_port &&
         (!with_addresses ||
          (a.family == b.family && a.local_address == b.local_address &&
           a.peer_address == b.peer_address));
}

}  // namespace

TopSuspects::TopSuspects(std::size_t k, bool keep_addresses)
    : k_(k), keep_addresses_(keep_addresses) {
  heap_.reserve(k + 1);
}

void TopSuspects::Add(Suspect suspect) {
  if (k_ == 0) return;
  if (!keep_addresses_) suspect.local_address = suspect.peer_address = {};
  for (Suspect& kept : heap_) {
    if (!SameSeries(kept, suspect, keep_addresses_)) continue;
    // One series for both: the better one's values, both connections.
    const std::uint32_t connections = kept.connections + suspect.connections;
    if (Better(suspect, kept)) kept = suspect;
    kept.connections = connections;
    std::make_heap(heap_.begin(), heap_.end(), Better);
    return;
  }
  if (heap_.size() == k_ && !Better(suspect, heap_.front())) return;
  heap_.push_back(suspect);
  std::push_heap(heap_.begin(), heap_.end(), Better);
  if (heap_.size() > k_) {
    std::pop_heap(heap_.begin(), heap_.end(), Better);
    heap_.pop_back();
  }
}

std::vector<Suspect> TopSuspects::Sorted() const {
  std::vector<Suspect> sorted = heap_;
  std::sort(sorted.begin(), sorted.end(), Better);
  return sorted;
}

SuspicionSummary Merge(const SuspicionSummary& a, const SuspicionSummary& b,
                       const SuspicionConfig& config) {
  SuspicionSummary merged = a;
  for (std::size_t i = 0; i < merged.suspects.size(); ++i) {
    merged.suspects[i] += b.suspects[i];
  }
  merged.idle_unprotected += b.idle_unprotected;
  if (b.top.empty()) return merged;
  TopSuspects top(config.top_k, config.keep_addresses);
  for (const Suspect& suspect : a.top) top.Add(suspect);
  for (const Suspect& suspect : b.top) top.Add(suspect);
  merged.top = top.Sorted();
  return merged;
}

}  // namespace halfopen
