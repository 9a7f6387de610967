#include "status/status_json.h"

#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>

#include "base/quoted.h"

namespace halfopen {
namespace {

std::string JsonString(std::string_view text) {
  std::string out = "\"";  // appended: see base/quoted.cc
  out += EscapeQuoted(text);
  out += '"';
  return out;
}

// JSON has no infinity or NaN: those are null, as is an absent value.
std::string Number(std::optional<double> value) {
  if (!value.has_value() || !std::isfinite(*value)) return "null";
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, *value);
  return std::string(text, result.ptr);
}

// One JSON object, its members added in order.
class Object {
 public:
  Object& Text(std::string_view name, std::string_view value) {
    return Raw(name, JsonString(value));
  }
  Object& Value(std::string_view name, std::optional<double> value) {
    return Raw(name, Number(value));
  }
  Object& Flag(std::string_view name, bool value) {
    return Raw(name, value ? "true" : "false");
  }
  // Only with --netns.scope=all do the series say which namespace.
  Object& Netns(const StatusModel& model, const std::string& netns) {
    return model.per_namespace ? Text("netns", netns) : *this;
  }
  Object& Raw(std::string_view name, std::string_view json) {
    text_ += text_.empty() ? '{' : ',';
    text_ += JsonString(name);
    text_ += ':';
    text_ += json;
    return *this;
  }
  std::string Close() const { return text_.empty() ? "{}" : text_ + "}"; }

 private:
  std::string text_;
};

template <typename Item, typename Render>
std::string Array(const std::vector<Item>& items, Render render) {
  std::string text = "[";
  for (const Item& item : items) {
    if (text.size() > 1) text += ",";
    text += render(item);
  }
  return text + "]";
}

std::string ListenerJson(const StatusModel& model, const StatusListener& l) {
  Object o;
  o.Netns(model, l.netns)
      .Text("family", l.family)
      .Text("address", l.address)
      .Text("port", l.port);
  if (!l.device.empty()) o.Text("device", l.device);
  o.Value("queue_length", l.queue_length)
      .Value("queue_limit", l.queue_limit)
      .Value("max_fill_ratio", l.max_fill)
      .Value("sockets", l.sockets)
      .Value("syn_recv", l.syn_recv)
      .Value("syn_recv_retransmitting", l.syn_recv_retransmitting)
      .Value("orphaned_handshakes", l.orphaned_handshakes)
      .Value("full_seconds_total", l.full_seconds)
      .Value("peak_length", l.peak_length)
      .Value("drops_total", l.drops_total)
      .Value("drops_last_minute", l.drops_recent
                                      ? std::optional(l.drops_recent->value)
                                      : std::nullopt)
      .Value("drops_last_minute_seconds",
             l.drops_recent ? std::optional(l.drops_recent->seconds)
                            : std::nullopt);
  return o
      .Raw(
          "processes",
          Array(
              l.processes,
              [](const StatusProcess& p) {
                return Object().Text("comm", p.comm).Text("pid", p.pid).Close();
              }))
      .Close();
}

std::string ProcessesJson(const std::vector<StatusProcess>& processes) {
  return Array(processes, [](const StatusProcess& p) {
    return Object().Text("comm", p.comm).Text("pid", p.pid).Close();
  });
}

std::string UnixListenerJson(const StatusModel& model,
                             const StatusUnixListener& l) {
  return Object()
      .Netns(model, l.netns)
      .Text("path", l.path)
      .Text("type", l.type)
      .Value("queue_length", l.queue_length)
      .Value("queue_limit", l.queue_limit)
      .Value("max_fill_ratio", l.max_fill)
      .Value("sockets", l.sockets)
      .Value("full_seconds_total", l.full_seconds)
      .Value("peak_length", l.peak_length)
      .Raw("processes", ProcessesJson(l.processes))
      .Close();
}

std::string SuspectJson(const StatusModel& model, const StatusSuspect& s) {
  Object o;
  o.Netns(model, s.netns)
      .Text("reason", s.reason)
      .Text("state", s.state)
      .Text("local_port", s.local_port)
      .Text("peer_port", s.peer_port);
  if (!s.local_address.empty()) {
    o.Text("local_address", s.local_address)
        .Text("peer_address", s.peer_address);
  }
  return o.Value("score", s.score)
      .Value("giveup_eta_seconds", s.giveup_eta_seconds)
      .Value("age_seconds", s.age_seconds)
      .Value("connections", s.connections)
      .Close();
}

std::string Values(const StatusModel& model,
                   const std::vector<StatusValue>& values,
                   std::string_view name_key) {
  return Array(values, [&](const StatusValue& v) {
    return Object()
        .Netns(model, v.netns)
        .Text(name_key, v.name)
        .Value("value", v.value)
        .Close();
  });
}

}  // namespace

std::string RenderStatusJson(const StatusModel& model) {
  Object o;
  o.Text("version", model.version)
      .Text("revision", model.revision)
      .Value("collected_unix_seconds", model.collected_unix_seconds)
      .Raw("namespaces", Array(model.namespaces,
                               [](const StatusNamespace& n) {
                                 return Object()
                                     .Text("netns", n.netns)
                                     .Text("name", n.name)
                                     .Text("pod_uid", n.pod_uid)
                                     .Text("container_id", n.container_id)
                                     .Text("comm", n.comm)
                                     .Close();
                               }))
      .Raw("listeners", Array(model.listeners,
                              [&](const StatusListener& l) {
                                return ListenerJson(model, l);
                              }))
      .Raw("unix_listeners", Array(model.unix_listeners,
                                   [&](const StatusUnixListener& l) {
                                     return UnixListenerJson(model, l);
                                   }))
      .Raw("suspects",
           Array(model.suspects,
                 [&](const StatusSuspect& s) { return SuspectJson(model, s); }))
      .Raw("suspect_counts", Values(model, model.suspect_counts, "reason"))
      .Raw("idle_unprotected", Array(model.idle_unprotected,
                                     [&](const StatusValue& v) {
                                       return Object()
                                           .Netns(model, v.netns)
                                           .Value("connections", v.value)
                                           .Close();
                                     }))
      .Raw("settings", Values(model, model.settings, "name"))
      .Raw("giveups", Values(model, model.giveups, "name"))
      .Raw("netstat", Array(model.counters,
                            [&](const StatusCounter& c) {
                              return Object()
                                  .Netns(model, c.netns)
                                  .Text("name", c.name)
                                  .Value("value", c.value)
                                  .Value("change", c.change)
                                  .Close();
                            }))
      .Raw("collectors", Array(model.collectors, [](const StatusCollector& c) {
             return Object()
                 .Text("name", c.name)
                 .Flag("success", c.ok)
                 .Value("duration_seconds", c.duration_seconds)
                 .Value("errors_total", c.errors_total)
                 .Close();
           }));
  return o.Close() + "\n";
}

}  // namespace halfopen
