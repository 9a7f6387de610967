#include "status/status_page.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "status/html.h"
#include "status/markdown.h"
#include "status/status_format.h"

namespace halfopen {
namespace {

constexpr char kStyle[] =
    "<style>\n"
    "body{max-width:84rem}\n"
    "table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}\n"
    "th,td{padding:.15rem .6rem;border-bottom:1px solid #d0d7de;"
    "text-align:left;white-space:nowrap}\n"
    "th{background:#f6f8fa}\n"
    ".n{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".bar{position:relative;width:9rem;height:1.25rem;background:#eaeef2;"
    "border-radius:3px;overflow:hidden}\n"
    ".bar i{position:absolute;left:0;top:0;bottom:0;background:#2da44e}\n"
    ".bar i.high{background:#d4a72c}.bar i.full{background:#cf222e}\n"
    ".bar span{position:relative;padding-left:.4rem;font-size:.8rem}\n"
    ".bad{color:#cf222e;font-weight:600}.meta,.note{color:#57606a}\n"
    ".scroll{overflow-x:auto}.side{display:flex;flex-wrap:wrap;gap:0 2rem;"
    "align-items:flex-start}\n"
    "</style>\n";

// The namespace column, when the series have one.
std::vector<std::string> NamespaceHeader(const StatusModel& model,
                                         std::vector<std::string> rest) {
  if (model.per_namespace) rest.insert(rest.begin(), "Namespace");
  return rest;
}

std::string NamespaceCell(const StatusModel& model, const std::string& netns) {
  return model.per_namespace ? Td(NamespaceTitle(model, netns)) : "";
}

std::string FillClass(double fill) {
  return fill >= 1 ? "full" : fill >= 0.9 ? "high" : "ok";
}

// The accept queue as a bar: as wide as the fullest socket is full (what
// the alerts watch), labelled with the listener's length and limit.
std::string QueueBar(const StatusListener& l) {
  const double width = std::clamp(l.max_fill, 0.0, 1.0);
  return "<td><div class=\"bar\" title=\"length / limit; the bar is the "
         "fullest socket against what it holds (limit + 1)\"><i class=\"" +
         FillClass(l.max_fill) + "\" style=\"width:" + FormatPercent(width) +
         "\"></i><span>" + FormatNumber(l.queue_length) + " / " +
         FormatNumber(l.queue_limit) + "</span></div></td>";
}

std::string UnixQueueBar(const StatusUnixListener& l) {
  const double width = std::clamp(l.max_fill, 0.0, 1.0);
  return "<td><div class=\"bar\" title=\"length / backlog; the bar is the "
         "fullest socket against what it holds (backlog + 1)\"><i class=\"" +
         FillClass(l.max_fill) + "\" style=\"width:" + FormatPercent(width) +
         "\"></i><span>" + FormatNumber(l.queue_length) + " / " +
         FormatNumber(l.queue_limit) + "</span></div></td>";
}

std::string Optional(const std::optional<double>& value,
                     std::string (*format)(double)) {
  return TdNumber(value.has_value() ? format(*value) : "–");
}

// The drops of the last minute, with the kernel's total as the title.
std::string DropsCell(const StatusListener& l) {
  const std::string title =
      l.drops_total ? FormatNumber(*l.drops_total) + " in all" : "";
  return "<td class=\"n" +
         std::string(l.drops_recent && l.drops_recent->value > 0 ? " bad"
                                                                 : "") +
         "\" title=\"" + EscapeHtml(title) + "\">" +
         EscapeHtml(FormatRecentDrops(l)) + "</td>";
}

std::string Summary(const StatusModel& model) {
  const auto full =
      std::count_if(model.listeners.begin(), model.listeners.end(),
                    [](const StatusListener& l) { return l.max_fill >= 1; });
  double suspects = 0;
  for (const StatusValue& count : model.suspect_counts) suspects += count.value;
  std::string failing;
  for (const StatusCollector& c : model.collectors) {
    if (!c.ok) failing += (failing.empty() ? "" : ", ") + c.name;
  }
  const auto count = [](double n, const std::string& one,
                        const std::string& many) {
    return "<span" + std::string(n > 0 ? " class=\"bad\"" : "") + ">" +
           FormatNumber(n) + " " + (n == 1 ? one : many) + "</span>";
  };
  return "<p class=\"summary\">" +
         count(static_cast<double>(full), "listener full", "listeners full") +
         " · " + count(suspects, "suspect connection", "suspect connections") +
         " · " +
         (failing.empty() ? std::string("every collector ok")
                          : "<span class=\"bad\">failing: " +
                                EscapeHtml(failing) + "</span>") +
         "</p>\n";
}

std::string UnixListenersSection(const StatusModel& model,
                                 const StatusPageOptions& options) {
  std::string html = "<h2 id=\"unix-listeners\">Unix-domain listeners</h2>\n";
  if (model.unix_listeners.empty()) return html + "<p>No listener.</p>\n";
  const bool sampled = std::any_of(
      model.unix_listeners.begin(), model.unix_listeners.end(),
      [](const StatusUnixListener& l) { return l.full_seconds.has_value(); });
  std::vector<std::string> headers = {"Path", "Type", "Queue", "Fill"};
  if (sampled) headers.insert(headers.end(), {"Time full", "Peak"});
  headers.insert(headers.end(), {"Sockets", "Processes"});
  std::string rows;
  const std::size_t shown =
      std::min(model.unix_listeners.size(), options.max_listeners);
  for (std::size_t i = 0; i < shown; ++i) {
    const StatusUnixListener& l = model.unix_listeners[i];
    rows += "<tr class=\"listener " + FillClass(l.max_fill) + "\">" +
            NamespaceCell(model, l.netns) + Td(l.path) + Td(l.type) +
            UnixQueueBar(l) + TdNumber(FormatPercent(l.max_fill));
    if (sampled) {
      rows += Optional(l.full_seconds, FormatDuration) +
              Optional(l.peak_length, FormatNumber);
    }
    rows += TdNumber(FormatNumber(l.sockets)) + Td(ProcessList(l.processes)) +
            "</tr>\n";
  }
  return html + Table(NamespaceHeader(model, headers), rows) +
         "<p class=\"note\">Full when the queue holds one more than its "
         "backlog: connect() then fails with EAGAIN (nginx answers 502) or "
         "waits; the kernel counts none of it.</p>\n";
}

std::string ListenersSection(const StatusModel& model,
                             const StatusPageOptions& options) {
  std::string html = "<h2 id=\"listeners\">Listeners</h2>\n";
  if (model.listeners.empty()) return html + "<p>No listener.</p>\n";
  const bool sampled = AnyListenerSampled(model);
  const bool drops = AnyListenerDrops(model);
  std::vector<std::string> headers = {"Listener", "Accept queue", "Fill",
                                      "SYN_RECV", "Re-sent",      "Orphaned"};
  if (drops) headers.push_back("Drops, last min");
  if (sampled) headers.insert(headers.end(), {"Time full", "Peak"});
  headers.insert(headers.end(), {"Sockets", "Processes"});
  std::string rows;
  const std::size_t shown =
      std::min(model.listeners.size(), options.max_listeners);
  for (std::size_t i = 0; i < shown; ++i) {
    const StatusListener& l = model.listeners[i];
    rows += "<tr class=\"listener " + FillClass(l.max_fill) + "\">" +
            NamespaceCell(model, l.netns) + Td(ListenerEndpoint(l)) +
            QueueBar(l) + TdNumber(FormatPercent(l.max_fill)) +
            TdNumber(FormatNumber(l.syn_recv)) +
            TdNumber(FormatNumber(l.syn_recv_retransmitting)) +
            TdNumber(FormatNumber(l.orphaned_handshakes));
    if (drops) rows += DropsCell(l);
    if (sampled) {
      rows += Optional(l.full_seconds, FormatDuration) +
              Optional(l.peak_length, FormatNumber);
    }
    rows += TdNumber(FormatNumber(l.sockets)) + Td(ProcessList(l.processes)) +
            "</tr>\n";
  }
  html += Table(NamespaceHeader(model, headers), rows);
  if (shown < model.listeners.size()) {
    html += "<p class=\"note\">The " + std::to_string(shown) + " fullest of " +
            std::to_string(model.listeners.size()) + " listeners.</p>\n";
  }
  return html +
         "<p class=\"note\">A queue is full when its length is greater than "
         "its limit: the kernel then drops or ignores completed handshakes. "
         "Re-sent: handshakes whose SYN-ACK went out again; orphaned: those "
         "re-sent while a queue is full, whose clients believe they are "
         "connected." +
         (drops ? " Drops: connection attempts the listener's sockets "
                  "dropped in the last minute, counted by the kernel "
                  "(hover for the total)."
                : "") +
         (sampled ? " Time full and peak (the highest length lately) come "
                    "from the sampler between scrapes; time full counts "
                    "since the exporter started."
                  : "") +
         "</p>\n";
}

std::string SuspectsSection(const StatusModel& model) {
  std::string html = "<h2 id=\"suspects\">Suspects</h2>\n<p>";
  double idle = 0;
  for (const StatusValue& v : model.idle_unprotected) idle += v.value;
  std::string by_reason;
  for (const StatusValue& count : model.suspect_counts) {
    if (count.value == 0) continue;
    by_reason += (by_reason.empty() ? "" : ", ") + count.name + " " +
                 FormatNumber(count.value);
  }
  html += EscapeHtml(by_reason.empty() ? "No suspect connection"
                                       : "Suspect connections: " + by_reason) +
          "; " + EscapeHtml(FormatNumber(idle)) +
          " idle without keepalive.</p>\n";
  if (model.suspects.empty()) return html;
  const bool addresses = std::any_of(
      model.suspects.begin(), model.suspects.end(),
      [](const StatusSuspect& s) { return !s.local_address.empty(); });
  std::vector<std::string> headers = {"Reason",      "Score",
                                      "State",       "Local",
                                      "Peer",        "Kernel gives up in",
                                      "Suspect for", "Connections"};
  std::string rows;
  for (const StatusSuspect& s : model.suspects) {
    const auto endpoint = [&](const std::string& address,
                              const std::string& port) {
      return Td(addresses ? address + " port " + port : "port " + port);
    };
    rows +=
        "<tr class=\"suspect\">" + NamespaceCell(model, s.netns) +
        "<td title=\"" + EscapeHtml(ReasonMeaning(s.reason)) + "\">" +
        EscapeHtml(s.reason) + "</td>" + TdNumber(FormatNumber(s.score)) +
        Td(s.state) + endpoint(s.local_address, s.local_port) +
        endpoint(s.peer_address, s.peer_port) +
        TdNumber(FormatDuration(s.giveup_eta_seconds)) +
        TdNumber(s.age_seconds.has_value() ? FormatAge(model, *s.age_seconds)
                                           : "–") +
        TdNumber(FormatNumber(s.connections)) + "</tr>\n";
  }
  return html + Table(NamespaceHeader(model, headers), rows);
}

std::string Same(const std::string& name) { return name; }

// Values by name (a row each) and namespace (a column each), so that
// namespaces whose sysctls differ stand side by side.
std::string Matrix(const StatusModel& model,
                   const std::vector<StatusValue>& values,
                   const std::string& what,
                   std::string (*title)(const std::string&),
                   std::string (*format)(double)) {
  std::vector<std::string> names, namespaces;
  std::map<std::pair<std::string, std::string>, double> cells;
  for (const StatusValue& v : values) {
    if (std::find(names.begin(), names.end(), v.name) == names.end()) {
      names.push_back(v.name);
    }
    if (std::find(namespaces.begin(), namespaces.end(), v.netns) ==
        namespaces.end()) {
      namespaces.push_back(v.netns);
    }
    cells[{v.name, v.netns}] = v.value;
  }
  std::vector<std::string> headers = {what};
  for (const std::string& netns : namespaces) {
    headers.push_back(model.per_namespace ? NamespaceTitle(model, netns)
                                          : "Value");
  }
  std::string rows;
  for (const std::string& name : names) {
    rows += "<tr>" + Td(title(name));
    for (const std::string& netns : namespaces) {
      const auto cell = cells.find({name, netns});
      rows += TdNumber(cell == cells.end() ? "–" : format(cell->second));
    }
    rows += "</tr>\n";
  }
  return Table(headers, rows);
}

std::string SettingsSection(const StatusModel& model) {
  std::string html = "<h2 id=\"settings\">Kernel settings</h2>\n";
  if (model.settings.empty() && model.giveups.empty()) {
    return html +
           "<p>Not collected (the tcpsettings collector is off or "
           "failed).</p>\n";
  }
  return html + "<div class=\"side\">" +
         Matrix(model, model.giveups, "The kernel gives up on", GiveupTitle,
                FormatDuration) +
         Matrix(model, model.settings, "Sysctl", Same, FormatNumber) +
         "</div>\n" +
         "<p class=\"note\">Per-socket options (TCP_USER_TIMEOUT, "
         "TCP_KEEPIDLE …) override these and cannot be seen from "
         "outside.</p>\n";
}

std::string CounterRows(const StatusModel& model,
                        const std::vector<const StatusCounter*>& counters) {
  std::string rows;
  for (const StatusCounter* c : counters) {
    std::string change = "–";
    if (c->change.has_value()) {
      change = FormatNumber(*c->change);
      change.insert(change.begin(), '+');
    }
    rows += "<tr>";  // appended: see base/quoted.cc
    rows += NamespaceCell(model, c->netns);
    rows += Td(c->name);
    rows += TdNumber(change);
    rows += TdNumber(FormatNumber(c->value));
    rows += "</tr>\n";
  }
  return rows;
}

std::string CountersSection(const StatusModel& model) {
  std::string html =
      "<h2 id=\"netstat\">Netstat counters since the exporter started</h2>\n";
  if (model.counters.empty()) {
    return html +
           "<p>Not collected (the netstat collector is off or "
           "failed).</p>\n";
  }
  html += "<p class=\"note\">Change since " +
          EscapeHtml(model.baseline_unix_seconds > 0
                         ? FormatUtc(model.baseline_unix_seconds)
                         : "this collection") +
          ", the exporter's first collection: a restart of the exporter "
          "starts the count again.</p>\n";
  std::vector<const StatusCounter*> changed, unchanged;
  for (const StatusCounter& c : model.counters) {
    (c.change.value_or(0) > 0 ? changed : unchanged).push_back(&c);
  }
  const auto headers = NamespaceHeader(model, {"Counter", "Change", "Now"});
  if (changed.empty()) {
    html += "<p>None has changed.</p>\n";
  } else {
    html += Table(headers, CounterRows(model, changed));
  }
  if (!unchanged.empty()) {
    html += "<details><summary>" + std::to_string(unchanged.size()) +
            " unchanged</summary>\n" +
            Table(headers, CounterRows(model, unchanged)) + "</details>\n";
  }
  return html;
}

std::string CollectorsSection(const StatusModel& model) {
  std::string rows;
  for (const StatusCollector& c : model.collectors) {
    rows += "<tr>" + Td(c.name) +
            (c.ok ? Td("ok") : "<td class=\"bad\">failed</td>") +
            TdNumber(FormatNumber(c.duration_seconds * 1000) + " ms") +
            TdNumber(FormatNumber(c.errors_total)) + "</tr>\n";
  }
  return "<h2 id=\"collectors\">Collectors</h2>\n" +
         Table({"Collector", "This collection", "Took",
                "Failed runs since start"},
               rows) +
         "<p class=\"note\">Why one failed is in the exporter's log "
         "(<code>msg=\"collector failed\"</code>).</p>\n";
}

}  // namespace

std::string RenderStatusPage(const StatusModel& model,
                             const StatusPageOptions& options) {
  const std::string path = EscapeHtml(options.telemetry_path);
  const std::string head = "<meta http-equiv=\"refresh\" content=\"" +
                           std::to_string(options.refresh_seconds) + "\">\n" +
                           kStyle;
  const std::string body =
      "<h1>halfopen_exporter status</h1>\n<p class=\"meta\">Collected " +
      EscapeHtml(FormatUtc(model.collected_unix_seconds)) +
      " from the same collection as <a href=\"" + path + "\">" + path +
      "</a>; refreshes every " + std::to_string(options.refresh_seconds) +
      " s. Version " + EscapeHtml(model.version) + " (" +
      EscapeHtml(model.revision) +
      "). <a href=\"/\">Home</a> · <a href=\"/runbook\">Runbook</a></p>\n" +
      Summary(model) + ListenersSection(model, options) +
      UnixListenersSection(model, options) + SuspectsSection(model) +
      CountersSection(model) + CollectorsSection(model) +
      SettingsSection(model);
  return HtmlPage("halfopen_exporter status", head, body);
}

}  // namespace halfopen
