#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "kernel/netlink_channel.h"

namespace halfopen {

/// What a datagram handler tells the source after looking at one datagram.
enum class DatagramVerdict { kContinue, kDone, kFail };

/// Identifies the request a reply belongs to.
struct DiagRequestId {
  std::uint32_t sequence = 0;
  std::uint32_t port_id = 0;
};

/// Receives each datagram of a dump reply. The bytes are valid only during
/// the call. On kFail the handler has recorded why; the source stops.
using DatagramHandler = std::function<DatagramVerdict(
    std::span<const std::uint8_t> datagram, const DiagRequestId& request)>;

/// Which sockets a dump asks the kernel for, and what it asks of each.
enum class DumpScope {
  kAll,  ///< Every TCP state but TCP_BOUND_INACTIVE, each with its tcp_info.
  /// LISTEN only, each with its memory counters (INET_DIAG_SKMEMINFO, which
  /// holds sk_drops) and no tcp_info: the kernel walks just the listening
  /// hash, which stays cheap however many connections exist.
  kListeners,
  /// Every state of kAll but LISTEN, each with its tcp_info: the rest of a
  /// walk whose listeners came from a kListeners dump.
  kConnections,
  /// Unix-domain sockets in LISTEN (unix_diag, SOCK_DIAG_BY_FAMILY for
  /// AF_UNIX, whatever the request mode), each with its name and its queue
  /// (UDIAG_SHOW_NAME | UDIAG_SHOW_RQLEN): the kernel walks its table of
  /// Unix sockets, not the TCP hashes.
  kUnixListeners,
};

/// Where inet_diag dump replies come from: the kernel, or a recording.
/// I/O only; decoding is the parser's job. Not thread-safe: one dump at a
/// time.
class DiagSource {
 public:
  virtual ~DiagSource() = default;

  /// Dumps the sockets that `scope` asks for (TCP of both families, or Unix
  /// listeners), handing
  /// each received datagram to `handler` until it answers kDone for the last
  /// request. Returns an error for I/O failures (with the errno named) or
  /// when the handler fails. A recording replays what it holds, whatever the
  /// scope.
  virtual Status Dump(DumpScope scope, const DatagramHandler& handler) = 0;
};

/// How the kernel is asked.
enum class DiagRequestMode {
  kLegacySingleWalk,  ///< One TCPDIAG_GETSOCK request: both families, one walk.
  kPerFamily,         ///< SOCK_DIAG_BY_FAMILY for AF_INET6, then AF_INET.
};

/// The kernel, over NETLINK_SOCK_DIAG, asking for tcp_info too. Its netlink
/// socket is opened by the first dump, in the network namespace of the
/// thread that runs it, and kept for later dumps (closed after an error and
/// opened anew by the next dump). A signal (EINTR) is retried; any other
/// receive error, a truncated datagram (MSG_TRUNC) or a receive timeout
/// fails the dump. `channel` replaces the real socket's system calls in
/// tests (kernel/netlink_channel.h); null means the kernel's. Its receive
/// buffer (64 KiB) lives only during a dump, so that a source kept per
/// namespace costs no buffer between walks: with --netns.walkers W, at most
/// W exist at once.
std::unique_ptr<DiagSource> MakeNetlinkDiagSource(
    DiagRequestMode mode, std::unique_ptr<NetlinkChannel> channel = nullptr);

/// The kernel's, receiving into `buffer` (resized to what a datagram needs),
/// which sources used one at a time may share: the listener sampler's, one
/// per namespace, share one.
std::unique_ptr<DiagSource> MakeNetlinkDiagSource(
    DiagRequestMode mode, std::shared_ptr<std::vector<std::uint8_t>> buffer);

/// Replays a file written by MakeRecordingDiagSource(): the exact datagrams
/// a kernel sent.
std::unique_ptr<DiagSource> MakeReplayDiagSource(std::string path);

/// Wraps a source, appending every datagram it delivers to `path` in the
/// replay format (magic "HOEDIAG1", then per request a marker and per
/// datagram a length-prefixed copy).
std::unique_ptr<DiagSource> MakeRecordingDiagSource(
    std::unique_ptr<DiagSource> source, std::string path);

/// The idiag_states mask used for every request: all TCP states from
/// ESTABLISHED to NEW_SYN_RECV. Never ~0: since Linux 6.8, bit 13
/// (TCP_BOUND_INACTIVE) would add bound-but-idle sockets.
std::uint32_t AllTcpStatesMask();

}  // namespace halfopen
