#include "status/status_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string_view>
#include <utility>

namespace halfopen {
namespace {

std::string Printf(const char* format, double a, double b = 0) {
  char text[64];
  std::snprintf(text, sizeof text, format, a, b);
  return text;
}

// The text `table` pairs with `key`, else `otherwise`.
template <std::size_t N>
std::string Lookup(
    const std::pair<std::string_view, std::string_view> (&table)[N],
    std::string_view key, std::string_view otherwise) {
  for (const auto& [known, text] : table) {
    if (known == key) return std::string(text);
  }
  return std::string(otherwise);
}

}  // namespace

std::string FormatDuration(double seconds) {
  if (std::isinf(seconds) && seconds > 0) return "never";
  if (std::isnan(seconds)) return "?";
  if (seconds < 60) return Printf("%.1f s", seconds);
  // Whole units from here on: a person reads "15 min 25 s", not decimals.
  const double whole = std::round(seconds);
  if (whole < 3600) {
    return Printf("%.0f min %.0f s", std::floor(whole / 60),
                  std::fmod(whole, 60));
  }
  if (whole < 86400) {
    return Printf("%.0f h %.0f min", std::floor(whole / 3600),
                  std::floor(std::fmod(whole, 3600) / 60));
  }
  return Printf("%.0f d %.0f h", std::floor(whole / 86400),
                std::floor(std::fmod(whole, 86400) / 3600));
}

std::string FormatNumber(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return Printf("%.0f", value);
  }
  std::string text = Printf("%.3f", value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string FormatPercent(double ratio) {
  return Printf("%.0f%%", std::round(ratio * 100));
}

std::string FormatUtc(double unix_seconds) {
  const std::time_t time = static_cast<std::time_t>(unix_seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &parts);
  return text;
}

std::string ListenerEndpoint(const StatusListener& listener) {
  if (listener.port == "other") return "other listeners (folded)";
  std::string endpoint = listener.family == "ipv6"
                             ? "[" + listener.address + "]"
                             : listener.address;
  endpoint += ":" + listener.port;
  if (!listener.device.empty()) endpoint += "%" + listener.device;
  return endpoint;
}

std::string ProcessList(const std::vector<StatusProcess>& processes) {
  std::string text;
  for (const StatusProcess& process : processes) {
    if (!text.empty()) text += ", ";
    text += process.comm + " (" + process.pid + ")";
  }
  return text;
}

std::string NamespaceTitle(const StatusModel& model, const std::string& netns) {
  const auto it = std::find_if(
      model.namespaces.begin(), model.namespaces.end(),
      [&](const StatusNamespace& ns) { return ns.netns == netns; });
  std::string who;
  if (it != model.namespaces.end()) {
    if (!it->name.empty()) {
      who = it->name;
    } else if (!it->pod_uid.empty()) {
      who = "pod " + it->pod_uid.substr(0, 8) + "…";
    } else {
      who = it->comm;
    }
  }
  return who.empty() ? netns : who + " (" + netns + ")";
}

std::string FormatAge(const StatusModel& model, double age_seconds) {
  // Ages are whole numbers of walks apart; half a second tells "since the
  // first walk" from "since a later one".
  constexpr double kSlackSeconds = 0.5;
  const bool since_first = model.baseline_unix_seconds > 0 &&
                           age_seconds >= model.collected_unix_seconds -
                                              model.baseline_unix_seconds -
                                              kSlackSeconds;
  return (since_first ? "≥ " : "") + FormatDuration(age_seconds);
}

bool AnyListenerSampled(const StatusModel& model) {
  return std::any_of(
      model.listeners.begin(), model.listeners.end(),
      [](const StatusListener& l) { return l.full_seconds.has_value(); });
}

bool AnyListenerDrops(const StatusModel& model) {
  return std::any_of(
      model.listeners.begin(), model.listeners.end(),
      [](const StatusListener& l) { return l.drops_total.has_value(); });
}

std::string FormatRecentDrops(const StatusListener& listener) {
  if (!listener.drops_recent.has_value()) return "-";
  const StatusRise& rise = *listener.drops_recent;
  // Collections a little under a minute apart still cover "the last minute".
  constexpr double kWholeWindow = CounterBaseline::kRecentWindowSeconds * 0.9;
  const std::string count = FormatNumber(rise.value);
  return rise.seconds >= kWholeWindow
             ? count
             : count + " in " + FormatDuration(rise.seconds);
}

std::string ReasonMeaning(const std::string& reason) {
  static constexpr std::pair<std::string_view, std::string_view> kMeanings[] = {
      {"retransmit_stall", "data retransmitted, no ACK from the peer"},
      {"keepalive_unanswered", "keepalive probes unanswered"},
      {"zero_window_stall", "zero-window probes unanswered"},
      {"handshake_stalled", "SYN retransmitted, no answer"},
      {"accept_queue_orphan",
       "the server dropped the handshake on a full accept queue"},
      {"peer_missing", "the local peer socket is gone"},
      {"idle_unprotected", "idle without keepalive"}};
  return Lookup(kMeanings, reason, "");
}

std::string GiveupTitle(const std::string& name) {
  static constexpr std::pair<std::string_view, std::string_view> kTitles[] = {
      {"retransmit_giveup_seconds", "data to a silent peer (tcp_retries2)"},
      {"keepalive_giveup_seconds",
       "idle peer with keepalive (tcp_keepalive_*)"},
      {"synack_giveup_seconds", "handshake in SYN_RECV (tcp_synack_retries)"},
      {"syn_giveup_seconds", "connect() to a silent host (tcp_syn_retries)"}};
  return Lookup(kTitles, name, name);
}

}  // namespace halfopen
