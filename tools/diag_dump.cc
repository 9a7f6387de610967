// halfopen_diag_dump: dumps the socket table of the current network namespace
// the way the exporter does, and prints what it saw. It records dumps for
// tests and bug reports (--record), replays them (--replay), and with
// --count-only is the bare floor the benchmark compares the exporter with:
// the same requests, every datagram received, messages counted, nothing
// decoded.

#include <linux/netlink.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "kernel/diag_source.h"
#include "sources/socket_walk.h"
#include "sources/unix_listeners.h"

namespace halfopen {
namespace {

constexpr const char* kUsage =
    "usage: halfopen_diag_dump [--request=legacy|per-family] [--record=FILE]\n"
    "                          [--replay=FILE] [--count-only]\n"
    "                          [--scope=all|listeners|connections|\n"
    "                                   unix-listeners]\n"
    "  --request=MODE  legacy: one TCPDIAG_GETSOCK walk of both families\n"
    "                  (default); per-family: SOCK_DIAG_BY_FAMILY for IPv6,\n"
    "                  then IPv4\n"
    "  --record=FILE   also write every datagram received to FILE\n"
    "  --replay=FILE   read a recording instead of asking the kernel\n"
    "  --count-only    count netlink messages without decoding them\n"
    "  --scope=SCOPE   all: every socket with its tcp_info (the default);\n"
    "                  listeners: LISTEN sockets with their memory counters\n"
    "                  (sk_drops among them); connections: all but LISTEN;\n"
    "                  unix-listeners: Unix-domain listeners (unix_diag) with\n"
    "                  their names and queues (--request does not apply)\n";

class CountingVisitor : public SocketVisitor, public UnixSocketVisitor {
 public:
  void OnSocket(const SocketRecord&) override {}
  void OnUnixSocket(const UnixSocketRecord&) override {}
};

// Walks message headers only: how many messages, and whether DONE came.
DatagramVerdict CountMessages(std::span<const std::uint8_t> datagram,
                              std::uint64_t* messages) {
  std::size_t offset = 0;
  while (offset + sizeof(nlmsghdr) <= datagram.size()) {
    nlmsghdr header;
    std::memcpy(&header, datagram.data() + offset, sizeof header);
    if (header.nlmsg_len < sizeof header) return DatagramVerdict::kFail;
    if (header.nlmsg_type == NLMSG_DONE) return DatagramVerdict::kDone;
    if (header.nlmsg_type == NLMSG_ERROR) return DatagramVerdict::kFail;
    ++*messages;
    offset += NLMSG_ALIGN(header.nlmsg_len);
  }
  return DatagramVerdict::kContinue;
}

int Run(int argc, char** argv) {
  std::string request = "legacy", record, replay, scope_name = "all";
  bool count_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--request=", 0) == 0) {
      request = arg.substr(10);
    } else if (arg.rfind("--record=", 0) == 0) {
      record = arg.substr(9);
    } else if (arg.rfind("--replay=", 0) == 0) {
      replay = arg.substr(9);
    } else if (arg.rfind("--scope=", 0) == 0) {
      scope_name = arg.substr(8);
    } else if (arg == "--count-only") {
      count_only = true;
    } else if (arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "halfopen_diag_dump: unknown flag %s\n%s",
                   arg.c_str(), kUsage);
      return 2;
    }
  }
  if (request != "legacy" && request != "per-family") {
    std::fprintf(stderr,
                 "halfopen_diag_dump: invalid value \"%s\" for flag "
                 "--request: want legacy or per-family\n",
                 request.c_str());
    return 2;
  }
  const std::map<std::string, DumpScope> scopes = {
      {"all", DumpScope::kAll},
      {"listeners", DumpScope::kListeners},
      {"connections", DumpScope::kConnections},
      {"unix-listeners", DumpScope::kUnixListeners}};
  const auto scope = scopes.find(scope_name);
  if (scope == scopes.end()) {
    std::fprintf(stderr,
                 "halfopen_diag_dump: invalid value \"%s\" for flag --scope: "
                 "want all, listeners, connections or unix-listeners\n",
                 scope_name.c_str());
    return 2;
  }
  std::unique_ptr<DiagSource> source =
      replay.empty()
          ? MakeNetlinkDiagSource(request == "legacy"
                                      ? DiagRequestMode::kLegacySingleWalk
                                      : DiagRequestMode::kPerFamily)
          : MakeReplayDiagSource(replay);
  if (!record.empty())
    source = MakeRecordingDiagSource(std::move(source), record);

  CountingVisitor visitor;
  ParseCounts counts;
  std::uint64_t datagrams = 0, bytes = 0, messages = 0;
  std::string error;
  const DatagramHandler parse =
      scope->second == DumpScope::kUnixListeners
          ? UnixParsingHandler(&visitor, &counts, &error)
          : ParsingHandler(&visitor, &counts, &error);
  const auto start = std::chrono::steady_clock::now();
  const Status status = source->Dump(
      scope->second,
      [&](std::span<const std::uint8_t> datagram, const DiagRequestId& id) {
        ++datagrams;
        bytes += datagram.size();
        if (count_only) return CountMessages(datagram, &messages);
        return parse(datagram, id);
      });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (!status.ok()) {
    std::fprintf(stderr, "halfopen_diag_dump: %s%s%s\n",
                 status.message().c_str(), error.empty() ? "" : ": ",
                 error.c_str());
    return 1;
  }
  std::printf(
      "sockets=%llu malformed=%llu foreign=%llu datagrams=%llu bytes=%llu "
      "seconds=%.6f\n",
      static_cast<unsigned long long>(count_only ? messages : counts.sockets),
      static_cast<unsigned long long>(counts.malformed),
      static_cast<unsigned long long>(counts.foreign),
      static_cast<unsigned long long>(datagrams),
      static_cast<unsigned long long>(bytes), seconds);
  return 0;
}

}  // namespace
}  // namespace halfopen

int main(int argc, char** argv) { return halfopen::Run(argc, argv); }
