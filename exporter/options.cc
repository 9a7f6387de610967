#include "exporter/options.h"

#include <map>

#include "base/numbers.h"
#include "base/quoted.h"

namespace halfopen {
namespace {

constexpr char kListenAddressFlag[] = "web.listen-address";

// What is wrong with a listen address ("" when nothing), splitting it.
std::string ListenAddressProblem(const std::string& address, std::string* host,
                                 int* port) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) {
    return "want host:port, [ipv6]:port or :port";
  }
  std::string host_part = address.substr(0, colon);
  const std::string port_part = address.substr(colon + 1);
  if (host_part.size() >= 2 && host_part.front() == '[' &&
      host_part.back() == ']') {
    host_part = host_part.substr(1, host_part.size() - 2);
  } else if (host_part.find(':') != std::string::npos) {
    return "put IPv6 addresses in brackets, e.g. [::1]:9742";
  }
  double value = -1;
  if (!ParseWholeNumber(port_part, &value) || value < 0 || value > 65535) {
    return "the port must be a number from 0 to 65535";
  }
  *host = host_part;
  *port = static_cast<int>(value);
  return "";
}

std::string TelemetryPathProblem(const std::string& path) {
  if (path.empty() || path[0] != '/' || path == "/" || path == "/-/healthy" ||
      path == "/runbook" || path == "/status") {
    return "want an absolute path other than /, /-/healthy, /runbook and "
           "/status";
  }
  return "";
}

void DeclareCoreFlags(FlagSet* flags, Options* options,
                      std::string* listen_address) {
  flags->Checked(kListenAddressFlag,
                 "Address to serve metrics on: host:port, [ipv6]:port or "
                 ":port (every address). Port 0 picks a free port and logs "
                 "it.",
                 listen_address, [](const std::string& address) {
                   std::string host;
                   int port;
                   return ListenAddressProblem(address, &host, &port);
                 });
  flags->Checked("web.telemetry-path", "Path under which to expose metrics.",
                 &options->telemetry_path, TelemetryPathProblem);
  flags->String("web.config.file",
                "Path to a web configuration file in exporter-toolkit's format "
                "that enables TLS and/or basic authentication (see README).",
                &options->web_config_file);
  flags->Number("scrape.timeout",
                "Seconds a scrape may take when the scraper does not send "
                "X-Prometheus-Scrape-Timeout-Seconds (Prometheus does). A "
                "collector still running 0.5 s before the end is reported "
                "failed.",
                &options->scrape_timeout_seconds, 0.1, 300);
  flags->Checked("path.procfs",
                 "procfs mountpoint; every /proc read goes through it.",
                 &options->sources.procfs, [](const std::string& path) {
                   return path.empty() ? "want a directory" : "";
                 });
  flags->OneOf("netns.scope",
               "Which network namespaces to read: own (the exporter's, needs "
               "no privilege) or all (every one on the host, each series "
               "labelled netns=<inode>; needs CAP_SYS_ADMIN and "
               "CAP_SYS_PTRACE, and hostPID in Kubernetes).",
               &options->sources.netns_scope, {"own", "all"});
  flags->WholeNumber(
      "netns.walkers",
      "How many network namespaces' socket tables are walked at once with "
      "--netns.scope=all. Default: the CPUs this process may run on, at "
      "most 4. A namespace that shares the host's connection hash table "
      "walks all of it, so walkers beyond the CPU time the exporter may use "
      "only queue: under a CPU quota (a container's limit, which the default "
      "does not see) set it to the limit, rounded up; 1 walks them one after "
      "another.",
      &options->sources.netns_walkers, 1, 64);
  flags->Checked("path.netns",
                 "Where named network namespaces are bound (ip netns add); "
                 "read with --netns.scope=all.",
                 &options->sources.run_netns, [](const std::string& path) {
                   return path.empty() ? "want a directory" : "";
                 });
  flags->OneOf("log.level",
               "Only log messages of this severity or above: "
               "debug, info, warn or error.",
               &options->log_level, {"debug", "info", "warn", "error"});
  flags->OneOf("log.format", "Log line format on stderr: logfmt or json.",
               &options->log_format, {"logfmt", "json"});
}

}  // namespace

Status ParseListenAddress(const std::string& address, std::string* host,
                          int* port) {
  const std::string problem = ListenAddressProblem(address, host, port);
  if (problem.empty()) return Status::Ok();
  return Status::Error("invalid value " + Quoted(address) + " for flag --" +
                       kListenAddressFlag + ": " + Escaped(problem));
}

Status ParseOptions(int argc, const char* const* argv,
                    const CollectorCatalog& catalog, Options* options,
                    std::string* help) {
  *options = Options();
  std::string listen_address = ":";
  listen_address += std::to_string(kDefaultPort);
  bool disable_defaults = false;
  std::map<std::string, bool> enabled;  // By collector; stable addresses.
  FlagSet flags;
  DeclareCoreFlags(&flags, options, &listen_address);
  for (const auto& spec : catalog.specs()) {
    bool* on = &enabled[spec.name];
    *on = spec.enabled_by_default;
    flags.Bool("collector." + spec.name,
               "Enable the " + spec.name + " collector: " + spec.help, on);
    if (spec.declare_flags) spec.declare_flags(&flags, &options->sources);
  }
  flags.Bool("collector.disable-defaults",
             "Start with every collector off; only those enabled with "
             "--collector.<name> run.",
             &disable_defaults);
  flags.Action("once",
               "Print the listeners, suspects, kernel settings and "
               "collectors of one collection on stdout, with the flags "
               "given, and exit (0, or 1 when every collector failed).",
               &options->once);
  flags.OneOf("once.format",
              "What --once prints: text (aligned tables) or json.",
              &options->once_format, {"text", "json"});
  flags.Number("once.observe",
               "Seconds --once watches before the collection it prints: a "
               "suspect's score counts only evidence that persists this "
               "long, and the listener sampler needs the time to sample. 0 "
               "prints the first collection, whose suspects score half.",
               &options->once_observe_seconds, 0, 60);
  flags.Action("version", "Print version information and exit.",
               &options->show_version);
  flags.Action("help", "Print this help and exit.", &options->show_help);
  flags.Short('h', "help");
  if (help != nullptr) *help = flags.Help("halfopen_exporter");

  Status status = flags.Parse(argc, argv);
  if (!status.ok()) return status;
  status = ParseListenAddress(listen_address, &options->listen_host,
                              &options->listen_port);
  if (!status.ok()) return status;
  for (const auto& spec : catalog.specs()) {
    const bool given = flags.Given("collector." + spec.name);
    if (enabled[spec.name] && (given || !disable_defaults)) {
      options->enabled_collectors.push_back(spec.name);
    }
  }
  return Status::Ok();
}

}  // namespace halfopen
