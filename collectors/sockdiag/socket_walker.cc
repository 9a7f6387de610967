#include "collectors/sockdiag/socket_walker.h"

#include <chrono>

namespace halfopen {
namespace {

// Feeds each socket of the stream to every consumer.
class WalkVisitor : public SocketVisitor {
 public:
  explicit WalkVisitor(SocketWalk* walk) : walk_(walk) {}

  void OnSocket(const SocketRecord& socket) override {
    walk_->stats.Add(socket);
    if (socket.state == kTcpListen) {
      walk_->listeners.AddListener(socket);
    } else if (socket.state == kTcpSynRecv || socket.state == kTcpNewSynRecv) {
      walk_->listeners.AttributeHandshake(socket);
    }
  }

 private:
  SocketWalk* walk_;
};

}  // namespace

std::shared_ptr<const SocketWalk> SocketWalker::ForScrape(
    const Scrape& scrape) {
  std::lock_guard<std::mutex> lock(mu_);
  if (last_ == nullptr || scrape.id != last_scrape_) {
    last_ = Walk();
    last_scrape_ = scrape.id;
    parse_errors_total_ += last_->counts.malformed;
    ++walks_;
  }
  return last_;
}

std::uint64_t SocketWalker::parse_errors_total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return parse_errors_total_;
}

std::uint64_t SocketWalker::walks() const {
  std::lock_guard<std::mutex> lock(mu_);
  return walks_;
}

std::shared_ptr<const SocketWalk> SocketWalker::Walk() {
  auto walk = std::make_shared<SocketWalk>();
  const auto start = std::chrono::steady_clock::now();
  WalkVisitor visitor(walk.get());
  std::string parse_error;
  std::unique_ptr<DiagSource> source = make_source_();
  walk->status = source->Dump(
      [&](std::span<const std::uint8_t> datagram, const DiagRequestId& id) {
        switch (ParseDiagDatagram(datagram, id.sequence, id.port_id, visitor,
                                  &walk->counts, &parse_error)) {
          case DatagramEnd::kDone:
            return DatagramVerdict::kDone;
          case DatagramEnd::kError:
            return DatagramVerdict::kFail;
          default:
            return DatagramVerdict::kContinue;
        }
      });
  if (!walk->status.ok() && !parse_error.empty()) {
    walk->status = Status::Error("inet_diag dump failed: " + parse_error);
  } else if (!walk->status.ok()) {
    walk->status =
        Status::Error("inet_diag dump failed: " + walk->status.message());
  }
  walk->duration_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return walk;
}

std::shared_ptr<SocketWalker> SocketWalker::Shared(
    const CollectorContext& context) {
  const std::string replay = context.Flag("collector.sockets.replay");
  const bool per_family =
      context.Flag("collector.sockets.request", "legacy") == "per-family";
  return context.shared->GetOrCreate<SocketWalker>(
      "socket_walker", [&]() -> std::shared_ptr<SocketWalker> {
        return std::make_shared<SocketWalker>(
            [replay, per_family]() -> std::unique_ptr<DiagSource> {
              if (!replay.empty()) return MakeReplayDiagSource(replay);
              return MakeNetlinkDiagSource(
                  per_family ? DiagRequestMode::kPerFamily
                             : DiagRequestMode::kLegacySingleWalk);
            });
      });
}

}  // namespace halfopen
