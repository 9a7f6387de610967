#include "status/status_text.h"

#include <algorithm>
#include <utility>

#include "status/status_format.h"

namespace halfopen {
namespace {

// Characters on screen: every byte but UTF-8 continuation bytes.
std::size_t Width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string Optional(const std::optional<double>& value,
                     std::string (*format)(double)) {
  return value.has_value() ? format(*value) : "-";
}

// The columns every table starts with: the namespace when there are several.
std::vector<std::string> Start(const StatusModel& model,
                               const std::string& netns) {
  if (!model.per_namespace) return {};
  return {NamespaceTitle(model, netns)};
}

std::vector<std::string> Headers(const StatusModel& model,
                                 std::vector<std::string> rest) {
  std::vector<std::string> headers;
  if (model.per_namespace) headers.push_back("NETNS");
  headers.insert(headers.end(), rest.begin(), rest.end());
  return headers;
}

std::vector<std::string> Append(std::vector<std::string> cells,
                                std::initializer_list<std::string> more) {
  cells.insert(cells.end(), more.begin(), more.end());
  return cells;
}

std::string ListenersText(const StatusModel& model) {
  const bool sampled = AnyListenerSampled(model);
  const bool drops = AnyListenerDrops(model);
  std::vector<std::string> columns = {"LISTENER", "QUEUE",    "LIMIT",
                                      "FILL",     "SYN_RECV", "RETRANSMITTING",
                                      "ORPHANED"};
  if (drops) columns.push_back("DROPS_1M");
  if (sampled) columns.insert(columns.end(), {"TIME_FULL", "PEAK"});
  columns.insert(columns.end(), {"SOCKETS", "PROCESSES"});
  TextTable table(Headers(model, columns));
  for (const StatusListener& l : model.listeners) {
    std::vector<std::string> row = Append(
        Start(model, l.netns),
        {ListenerEndpoint(l), FormatNumber(l.queue_length),
         FormatNumber(l.queue_limit), FormatPercent(l.max_fill),
         FormatNumber(l.syn_recv), FormatNumber(l.syn_recv_retransmitting),
         FormatNumber(l.orphaned_handshakes)});
    if (drops) row = Append(std::move(row), {FormatRecentDrops(l)});
    if (sampled) {
      row = Append(std::move(row), {Optional(l.full_seconds, FormatDuration),
                                    Optional(l.peak_length, FormatNumber)});
    }
    table.AddRow(Append(std::move(row),
                        {FormatNumber(l.sockets), ProcessList(l.processes)}));
  }
  return "Listeners\n" + (table.empty() ? "(none)\n" : table.Render());
}

std::string UnixListenersText(const StatusModel& model) {
  const bool sampled = std::any_of(
      model.unix_listeners.begin(), model.unix_listeners.end(),
      [](const StatusUnixListener& l) { return l.full_seconds.has_value(); });
  std::vector<std::string> columns = {"UNIX_LISTENER", "TYPE", "QUEUE", "LIMIT",
                                      "FILL"};
  if (sampled) columns.insert(columns.end(), {"TIME_FULL", "PEAK"});
  columns.insert(columns.end(), {"SOCKETS", "PROCESSES"});
  TextTable table(Headers(model, columns));
  for (const StatusUnixListener& l : model.unix_listeners) {
    std::vector<std::string> row =
        Append(Start(model, l.netns),
               {l.path, l.type, FormatNumber(l.queue_length),
                FormatNumber(l.queue_limit), FormatPercent(l.max_fill)});
    if (sampled) {
      row = Append(std::move(row), {Optional(l.full_seconds, FormatDuration),
                                    Optional(l.peak_length, FormatNumber)});
    }
    table.AddRow(Append(std::move(row),
                        {FormatNumber(l.sockets), ProcessList(l.processes)}));
  }
  return "Unix-domain listeners\n" +
         (table.empty() ? "(none)\n" : table.Render());
}

std::string SuspectCounts(const StatusModel& model) {
  double total = 0, idle = 0;
  std::string by_reason;
  for (const StatusValue& count : model.suspect_counts) {
    total += count.value;
    if (count.value == 0) continue;
    by_reason += (by_reason.empty() ? "" : ", ") + count.name + " " +
                 FormatNumber(count.value);
  }
  for (const StatusValue& value : model.idle_unprotected) idle += value.value;
  return "Suspects: " + FormatNumber(total) +
         (by_reason.empty() ? "" : " (" + by_reason + ")") +
         "; idle without keepalive: " + FormatNumber(idle) + "\n";
}

std::string SuspectsText(const StatusModel& model) {
  const bool addresses = std::any_of(
      model.suspects.begin(), model.suspects.end(),
      [](const StatusSuspect& s) { return !s.local_address.empty(); });
  TextTable table(
      Headers(model, {"REASON", "SCORE", "STATE", "LOCAL", "PEER",
                      "GIVES_UP_IN", "SUSPECT_FOR", "CONNECTIONS"}));
  for (const StatusSuspect& s : model.suspects) {
    const auto endpoint = [&](const std::string& address,
                              const std::string& port) {
      return addresses ? address + ":" + port : port;
    };
    table.AddRow(Append(
        Start(model, s.netns),
        {s.reason, FormatNumber(s.score), s.state,
         endpoint(s.local_address, s.local_port),
         endpoint(s.peer_address, s.peer_port),
         FormatDuration(s.giveup_eta_seconds),
         s.age_seconds.has_value() ? FormatAge(model, *s.age_seconds) : "-",
         FormatNumber(s.connections)}));
  }
  return SuspectCounts(model) + (table.empty() ? "" : table.Render());
}

std::string SettingsText(const StatusModel& model) {
  TextTable settings(Headers(model, {"SETTING", "VALUE"}));
  for (const StatusValue& s : model.settings) {
    settings.AddRow(
        Append(Start(model, s.netns), {s.name, FormatNumber(s.value)}));
  }
  TextTable giveups(Headers(model, {"KERNEL_GIVES_UP_ON", "AFTER"}));
  for (const StatusValue& g : model.giveups) {
    giveups.AddRow(Append(Start(model, g.netns),
                          {GiveupTitle(g.name), FormatDuration(g.value)}));
  }
  if (settings.empty() && giveups.empty()) return "Kernel settings\n(none)\n";
  return "Kernel settings\n" + settings.Render() + "\n" + giveups.Render();
}

std::string CollectorsText(const StatusModel& model) {
  TextTable table({"COLLECTOR", "STATE", "DURATION", "ERRORS_SINCE_START"});
  for (const StatusCollector& c : model.collectors) {
    table.AddRow({c.name, c.ok ? "ok" : "FAILED",
                  FormatNumber(c.duration_seconds * 1000) + " ms",
                  FormatNumber(c.errors_total)});
  }
  return "Collectors\n" + table.Render();
}

}  // namespace

TextTable::TextTable(std::vector<std::string> headers) {
  rows_.push_back(std::move(headers));
}

void TextTable::AddRow(std::vector<std::string> cells) {
  cells.resize(rows_.front().size());
  rows_.push_back(std::move(cells));
}

std::string TextTable::Render() const {
  std::vector<std::size_t> widths(rows_.front().size(), 0);
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], Width(row[i]));
    }
  }
  std::string text;
  for (const auto& row : rows_) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line += std::string(widths[i] - Width(row[i]) + 2, ' ');
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    text += line + "\n";
  }
  return text;
}

std::string RenderStatusText(const StatusModel& model) {
  const std::string watched =
      model.baseline_unix_seconds > 0
          ? " after watching " + FormatDuration(model.collected_unix_seconds -
                                                model.baseline_unix_seconds)
          : "";
  return "halfopen_exporter " + model.version + " (revision " + model.revision +
         "), collected " + FormatUtc(model.collected_unix_seconds) + watched +
         "\n\n" + ListenersText(model) + "\n" + UnixListenersText(model) +
         "\n" + SuspectsText(model) + "\n" + SettingsText(model) + "\n" +
         CollectorsText(model);
}

}  // namespace halfopen
