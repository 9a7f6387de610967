#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "base/status.h"
#include "decode/unix_diag_parser.h"
#include "kernel/diag_source.h"
#include "model/unix_listener_table.h"
#include "sources/netns_io.h"

namespace halfopen {

/// One LISTEN-only unix_diag dump of a namespace.
struct UnixListenerWalk {
  /// Not ok when the dump failed or a datagram of it was cut short; the
  /// table is then partial.
  Status status;
  /// False when the exporter reads a recording or a test's source instead
  /// of the kernel: a recording holds TCP sockets only, so there is nothing
  /// to report (status stays ok).
  bool available = true;
  UnixListenerTable listeners;
  ParseCounts counts;
  double duration_seconds = 0;
};

/// A DiagSource handler that decodes every datagram of a unix_diag dump
/// into `visitor`, adding to *counts, and stops at the end of the dump; on
/// a netlink error it stops the source and leaves the kernel's answer in
/// *error. The pointers must outlive the dump.
DatagramHandler UnixParsingHandler(UnixSocketVisitor* visitor,
                                   ParseCounts* counts, std::string* error);

/// Runs one kUnixListeners dump of `source` into `visitor`, naming what went
/// wrong: the kernel's answer, or datagrams cut short (whose every later
/// socket is lost).
Status DumpUnixListeners(DiagSource& source, UnixSocketVisitor* visitor,
                         ParseCounts* counts);

/// Dumps one namespace's Unix listeners at most once per scrape, inside the
/// namespace (on its thread), over a netlink socket opened there by the
/// first dump and kept. Unix sockets belong to a network namespace as TCP
/// sockets do, so the dump shows that namespace's alone. Thread-safe.
class UnixListenerWalker {
 public:
  using SourceFactory = std::function<std::unique_ptr<DiagSource>()>;

  /// `make_source` is called inside the namespace; null means the sockets
  /// do not come from the kernel (every walk is then unavailable). `io`
  /// must outlive the walker.
  UnixListenerWalker(SourceFactory make_source, NetnsIo* io)
      : make_source_(std::move(make_source)), io_(*io) {}

  /// The walk of scrape `scrape_id`, dumping if this is the first request
  /// for that scrape.
  std::shared_ptr<const UnixListenerWalk> ForScrape(std::uint64_t scrape_id);

 private:
  std::shared_ptr<const UnixListenerWalk> Walk();

  const SourceFactory make_source_;
  NetnsIo& io_;
  std::mutex mu_;
  std::unique_ptr<DiagSource> source_;  // Opened inside the namespace.
  std::uint64_t last_scrape_ = 0;
  std::shared_ptr<const UnixListenerWalk> last_;
};

}  // namespace halfopen
