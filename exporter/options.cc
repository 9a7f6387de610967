#include "exporter/options.h"

#include <algorithm>
#include <charconv>

namespace halfopen {
namespace {

Status InvalidValue(const std::string& flag, const std::string& value,
                    const std::string& want) {
  return Status::Error("invalid value \"" + value + "\" for flag --" + flag +
                       ": " + want);
}

Status ValidateTelemetryPath(const std::string& path) {
  if (path.empty() || path[0] != '/' || path == "/" || path == "/-/healthy") {
    return InvalidValue("web.telemetry-path", path,
                        "want an absolute path other than / and /-/healthy");
  }
  return Status::Ok();
}

Status ValidateOneOf(const std::string& flag, const std::string& value,
                     const std::vector<std::string>& allowed) {
  for (const auto& candidate : allowed) {
    if (value == candidate) return Status::Ok();
  }
  std::string want = "want one of";
  for (const auto& candidate : allowed) want += " " + candidate;
  return InvalidValue(flag, value, want);
}

}  // namespace

Status ParseListenAddress(const std::string& address, std::string* host,
                          int* port) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) {
    return InvalidValue("web.listen-address", address,
                        "want host:port, [ipv6]:port or :port");
  }
  std::string host_part = address.substr(0, colon);
  const std::string port_part = address.substr(colon + 1);
  if (host_part.size() >= 2 && host_part.front() == '[' &&
      host_part.back() == ']') {
    host_part = host_part.substr(1, host_part.size() - 2);
  } else if (host_part.find(':') != std::string::npos) {
    return InvalidValue("web.listen-address", address,
                        "put IPv6 addresses in brackets, e.g. [::1]:9742");
  }
  int value = -1;
  const auto [end, ec] = std::from_chars(
      port_part.data(), port_part.data() + port_part.size(), value);
  if (port_part.empty() || ec != std::errc() ||
      end != port_part.data() + port_part.size() || value < 0 ||
      value > 65535) {
    return InvalidValue("web.listen-address", address,
                        "the port must be a number from 0 to 65535");
  }
  *host = host_part;
  *port = value;
  return Status::Ok();
}

FlagSet BuildFlagSet(const CollectorCatalog& catalog) {
  FlagSet flags;
  flags.Add({"web.listen-address",
             "Address to serve metrics on: host:port, [ipv6]:port or :port "
             "(every address). Port 0 picks a free port and logs it.",
             ":" + std::to_string(kDefaultPort), false});
  flags.Add({"web.telemetry-path", "Path under which to expose metrics.",
             "/metrics", false});
  flags.Add({"path.procfs",
             "procfs mountpoint; every /proc read goes through it.", "/proc",
             false});
  flags.Add({"log.level",
             "Only log messages of this severity or above: "
             "debug, info, warn or error.",
             "info", false});
  flags.Add({"log.format", "Log line format on stderr: logfmt or json.",
             "logfmt", false});
  for (const auto& spec : catalog.specs()) {
    flags.Add({"collector." + spec.name,
               "Enable the " + spec.name + " collector: " + spec.help,
               spec.enabled_by_default ? "true" : "false", true});
    for (const auto& option : spec.options) {
      flags.Add(
          {option.flag, option.help, option.default_value, option.is_bool});
    }
  }
  flags.Add({"collector.disable-defaults",
             "Start with every collector off; only those enabled with "
             "--collector.<name> run.",
             "false", true});
  flags.Add({"version", "Print version information and exit.", "false", true});
  flags.Add({"help", "Print this help and exit.", "false", true});
  return flags;
}

Status ParseOptions(int argc, const char* const* argv,
                    const CollectorCatalog& catalog, Options* options) {
  ParsedFlags parsed;
  Status status = BuildFlagSet(catalog).Parse(argc, argv, &parsed);
  if (!status.ok()) return status;
  options->show_help = parsed.Bool("help");
  options->show_version = parsed.Bool("version");
  options->listen_address = parsed.Get("web.listen-address");
  status = ParseListenAddress(options->listen_address, &options->listen_host,
                              &options->listen_port);
  if (!status.ok()) return status;
  options->telemetry_path = parsed.Get("web.telemetry-path");
  status = ValidateTelemetryPath(options->telemetry_path);
  if (!status.ok()) return status;
  options->log_level = parsed.Get("log.level");
  status = ValidateOneOf("log.level", options->log_level,
                         {"debug", "info", "warn", "error"});
  if (!status.ok()) return status;
  options->log_format = parsed.Get("log.format");
  status = ValidateOneOf("log.format", options->log_format, {"logfmt", "json"});
  if (!status.ok()) return status;
  const std::string procfs = parsed.Get("path.procfs");
  if (procfs.empty()) {
    return InvalidValue("path.procfs", procfs, "want a directory");
  }
  options->collector_context.procfs = procfs;
  options->collector_context.flags = parsed.values;
  options->enabled_collectors.clear();
  const bool defaults_off = parsed.Bool("collector.disable-defaults");
  for (const auto& spec : catalog.specs()) {
    const std::string flag = "collector." + spec.name;
    const bool given = std::find(parsed.given.begin(), parsed.given.end(),
                                 flag) != parsed.given.end();
    if (parsed.Bool(flag) && (given || !defaults_off)) {
      options->enabled_collectors.push_back(spec.name);
    }
  }
  return Status::Ok();
}

}  // namespace halfopen
