#include "sources/unix_listeners.h"

#include <chrono>

#include "kernel/errno_text.h"

namespace halfopen {

DatagramHandler UnixParsingHandler(UnixSocketVisitor* visitor,
                                   ParseCounts* counts, std::string* error) {
  return [=](std::span<const std::uint8_t> datagram, const DiagRequestId& id) {
    DumpError dump_error;
    switch (ParseUnixDiagDatagram(datagram, id.sequence, id.port_id, *visitor,
                                  counts, &dump_error)) {
      case DatagramEnd::kDone:
        return DatagramVerdict::kDone;
      case DatagramEnd::kError:
        *error = (dump_error.in_done ? "the dump ended with "
                                     : "the kernel answered ") +
                 ErrnoText(dump_error.error_number);
        return DatagramVerdict::kFail;
      default:
        return DatagramVerdict::kContinue;
    }
  };
}

Status DumpUnixListeners(DiagSource& source, UnixSocketVisitor* visitor,
                         ParseCounts* counts) {
  std::string parse_error;
  const std::uint64_t cut_before = counts->cut_short;
  const Status status =
      source.Dump(DumpScope::kUnixListeners,
                  UnixParsingHandler(visitor, counts, &parse_error));
  if (!status.ok()) {
    return Status::Error("unix_diag dump failed: " + (parse_error.empty()
                                                          ? status.message()
                                                          : parse_error));
  }
  const std::uint64_t cut = counts->cut_short - cut_before;
  if (cut > 0) {
    return Status::Error("unix_diag dump incomplete: " + std::to_string(cut) +
                         " datagram(s) ended inside a netlink message");
  }
  return Status::Ok();
}

std::shared_ptr<const UnixListenerWalk> UnixListenerWalker::ForScrape(
    std::uint64_t scrape_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (last_ == nullptr || scrape_id != last_scrape_) {
    last_ = Walk();
    last_scrape_ = scrape_id;
  }
  return last_;
}

std::shared_ptr<const UnixListenerWalk> UnixListenerWalker::Walk() {
  auto walk = std::make_shared<UnixListenerWalk>();
  if (make_source_ == nullptr) {
    walk->available = false;
    return walk;
  }
  const auto start = std::chrono::steady_clock::now();
  io_.Run([&] {
    if (source_ == nullptr) source_ = make_source_();
    walk->status = DumpUnixListeners(*source_, &walk->listeners, &walk->counts);
  });
  walk->duration_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return walk;
}

}  // namespace halfopen
