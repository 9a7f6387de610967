#include <regex>
#include <string>
#include <vector>

#include "collectors/each_netns.h"
#include "decode/counter_parser.h"
#include "decode/snake_case.h"
#include "engine/collector.h"
#include "engine/family.h"
#include "sources/sources.h"

namespace halfopen {
namespace {

struct CuratedCounter {
  const char* prefix;
  const char* name;
  prometheus::MetricType type;
  const char* help;
};

constexpr auto kCounter = prometheus::MetricType::Counter;
constexpr auto kGauge = prometheus::MetricType::Gauge;

// The counters an operator needs for accept-queue and half-open trouble,
// with help text in an operator's words (net/ipv4/proc.c names them; the
// meanings are in include/uapi/linux/snmp.h and the kernel's TCP code).
const CuratedCounter kCurated[] = {
    {"TcpExt", "ListenOverflows", kCounter,
     "Times a listener's accept queue was full when a connection completed "
     "its handshake or a SYN arrived, so the kernel dropped it: the "
     "application is not calling accept() fast enough."},
    {"TcpExt", "ListenDrops", kCounter,
     "Connection attempts a listener dropped for any reason, accept-queue "
     "overflows included (always at least listen_overflows)."},
    {"TcpExt", "TCPReqQFullDrop", kCounter,
     "SYNs dropped because a listener's SYN queue was full and SYN cookies "
     "were off."},
    {"TcpExt", "TCPReqQFullDoCookies", kCounter,
     "Times a full SYN queue made the kernel answer with a SYN cookie instead "
     "of keeping the handshake's state."},
    {"TcpExt", "SyncookiesSent", kCounter, "SYN cookies sent."},
    {"TcpExt", "SyncookiesRecv", kCounter,
     "Valid SYN cookies received back: handshakes completed through a cookie."},
    {"TcpExt", "SyncookiesFailed", kCounter,
     "ACKs carrying an invalid SYN cookie."},
    {"TcpExt", "TCPSynRetrans", kCounter,
     "SYN and SYN-ACK retransmissions: handshakes not answered in time."},
    {"TcpExt", "TCPTimeouts", kCounter,
     "Retransmission timeouts that fired, SYN-ACK timers included."},
    {"TcpExt", "TCPKeepAlive", kCounter, "Keepalive probes sent."},
    {"TcpExt", "TCPAbortOnTimeout", kCounter,
     "Connections the kernel aborted because retransmissions or keepalive "
     "probes went unanswered too long: it gave up on a silent peer."},
    {"TcpExt", "TCPAbortOnData", kCounter,
     "Connections reset because data arrived after the application closed "
     "them."},
    {"TcpExt", "TCPAbortOnClose", kCounter,
     "Connections reset because the application closed them with unread "
     "data."},
    {"TcpExt", "TCPAbortOnMemory", kCounter,
     "Connections aborted because TCP was short of memory or had too many "
     "orphaned sockets."},
    {"TcpExt", "TCPAbortOnLinger", kCounter,
     "Connections reset when their linger or FIN_WAIT2 timeout expired."},
    {"TcpExt", "TCPAbortFailed", kCounter,
     "Resets the kernel wanted to send but could not."},
    {"TcpExt", "EmbryonicRsts", kCounter,
     "Resets sent to connections still in SYN_RECV (for example with "
     "tcp_abort_on_overflow=1)."},
    {"TcpExt", "TCPBacklogDrop", kCounter,
     "Packets dropped because a busy socket's receive backlog was full (not "
     "the accept queue)."},
    {"Tcp", "RetransSegs", kCounter, "TCP segments retransmitted."},
    {"Tcp", "EstabResets", kCounter,
     "Connections reset while ESTABLISHED or CLOSE_WAIT."},
    {"Tcp", "AttemptFails", kCounter,
     "Connection attempts that failed: SYN_SENT or SYN_RECV went back to "
     "CLOSED or LISTEN."},
    {"Tcp", "InErrs", kCounter, "TCP segments received in error."},
    {"Tcp", "OutRsts", kCounter, "TCP segments sent with the RST flag."},
    {"Tcp", "ActiveOpens", kCounter,
     "Connections opened actively, by connect()."},
    {"Tcp", "PassiveOpens", kCounter,
     "Connections opened passively, by a listener."},
    {"Tcp", "CurrEstab", kGauge,
     "Connections currently ESTABLISHED or CLOSE_WAIT."},
};

std::string MetricName(const CuratedCounter& counter) {
  const std::string base = "halfopen_netstat_" + SnakeCase(counter.name);
  return counter.type == kCounter ? base + "_total" : base;
}

struct NetstatOptions {
  std::regex raw_fields;
};

class NetstatCollector : public Collector {
 public:
  NetstatCollector(const NetstatOptions& options,
                   std::shared_ptr<Sources> sources)
      : sources_(std::move(sources)), raw_fields_(options.raw_fields) {}

  Status Collect(const Scrape& scrape,
                 std::vector<prometheus::MetricFamily>* out) override {
    FamilyList families;
    Status status = ForEachNamespace(
        *sources_, scrape, [&](Netns& netns, const LabelPairs& labels) {
          CounterTable table;
          Status read = ReadCounters(netns, &table);
          if (read.ok()) Render(table, labels, &families);
          return read;
        });
    if (status.ok()) families.MoveTo(out);
    return status;
  }

 private:
  static Status ReadCounters(Netns& netns, CounterTable* table) {
    Status status;
    netns.io->Run([&] {
      const ProcfsReader& reader = netns.io->net();
      for (const char* file : {"net/netstat", "net/snmp"}) {
        std::string text;
        status = reader.Read(file, &text);
        if (status.ok()) {
          status = ParseCounterFile(reader.PathOf(file), text, table);
        }
        if (!status.ok()) return;
      }
      if (FindCounter(*table, "Tcp", "ActiveOpens") == nullptr) {
        status =
            Status::Error("no Tcp counters in " + reader.PathOf("net/snmp"));
      }
    });
    return status;
  }

  void Render(const CounterTable& table, const LabelPairs& labels,
              FamilyList* families) const {
    for (const auto& counter : kCurated) {
      const double* value = FindCounter(table, counter.prefix, counter.name);
      if (value == nullptr) continue;
      AddSample(&families->Get(MetricName(counter), counter.help, counter.type),
                labels, *value);
    }
    for (const auto& [prefix, counters] : table) {
      for (const auto& [name, value] : counters) {
        const std::string field = prefix + "_" + name;
        if (!std::regex_search(field, raw_fields_)) continue;
        AddSample(&families->Get("halfopen_netstat_" + field,
                                 "Raw " + prefix + " " + name +
                                     " from /proc/net/netstat or "
                                     "/proc/net/snmp.",
                                 prometheus::MetricType::Untyped),
                  labels, value);
      }
    }
  }

  const std::shared_ptr<Sources> sources_;
  const std::regex raw_fields_;
};

const bool kRegistered =
    CollectorCatalog::Global().Add(DefineCollector<NetstatOptions>(
        "netstat",
        "TCP counters from /proc/net/netstat and /proc/net/snmp "
        "(accept-queue overflows, SYN queue, aborts).",
        true,
        [](FlagSet* flags, SourceOptions*, NetstatOptions* options) {
          flags->Regex("collector.netstat.fields",
                       "Regexp of further raw fields to export, matched "
                       "against \"Prefix_Name\" (e.g. "
                       "\"^TcpExt_TCPLossProbes$\"); each becomes an untyped "
                       "halfopen_netstat_<Prefix>_<Name>.",
                       "^$", &options->raw_fields);
        },
        [](const NetstatOptions& options, std::shared_ptr<Sources> sources) {
          return std::make_unique<NetstatCollector>(options,
                                                    std::move(sources));
        }));

}  // namespace
}  // namespace halfopen
