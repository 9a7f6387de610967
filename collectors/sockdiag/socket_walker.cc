#include "collectors/sockdiag/socket_walker.h"

#include <chrono>
#include <cmath>
#include <cstdlib>

#include "collectors/procfs/sysctl.h"
#include "collectors/sockdiag/parse_datagrams.h"
#include "collectors/sources/interface_addresses.h"

namespace halfopen {
namespace {

// Feeds each socket of the stream to every consumer.
class WalkVisitor : public SocketVisitor {
 public:
  WalkVisitor(SocketWalk* walk, SuspicionTracker* tracker)
      : walk_(walk), tracker_(tracker) {}

  void OnSocket(const SocketRecord& socket) override {
    walk_->stats.Add(socket);
    const Listener* listener = nullptr;
    if (socket.state == kTcpListen) {
      walk_->listeners.AddListener(socket);
    } else if (socket.state == kTcpSynRecv || socket.state == kTcpNewSynRecv) {
      listener = walk_->listeners.AttributeHandshake(socket);
    }
    tracker_->OnSocket(socket, listener);
  }

 private:
  SocketWalk* walk_;
  SuspicionTracker* tracker_;
};

}  // namespace

std::shared_ptr<const SocketWalk> SocketWalker::ForScrape(
    const Scrape& scrape) {
  std::lock_guard<std::mutex> lock(mu_);
  if (last_ == nullptr || scrape.id != last_scrape_) {
    last_ = Walk();
    last_scrape_ = scrape.id;
    parse_errors_total_ += last_->counts.malformed;
  }
  return last_;
}

std::uint64_t SocketWalker::parse_errors_total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return parse_errors_total_;
}

std::shared_ptr<const SocketWalk> SocketWalker::Walk() {
  auto walk = std::make_shared<SocketWalk>();
  const auto start = std::chrono::steady_clock::now();
  KernelSettings settings;
  walk->suspicion_status = ReadKernelSettings(ProcfsReader(procfs_), &settings);
  LocalAddresses local_addresses;
  std::vector<InterfaceAddress> interface_addresses;
  Status status = ListInterfaceAddresses(&interface_addresses);
  if (!status.ok() && walk->suspicion_status.ok()) {
    walk->suspicion_status = status;
  }
  for (const auto& [family, address] : interface_addresses) {
    local_addresses.Add(family, address.data());
  }
  SuspicionTracker tracker(suspicion_config_, settings, local_addresses,
                           walk->listeners, &pairs_);
  WalkVisitor visitor(walk.get(), &tracker);
  std::string parse_error;
  std::unique_ptr<DiagSource> source = make_source_();
  walk->status =
      source->Dump(ParsingHandler(&visitor, &walk->counts, &parse_error));
  if (!walk->status.ok() && !parse_error.empty()) {
    walk->status = Status::Error("inet_diag dump failed: " + parse_error);
  } else if (!walk->status.ok()) {
    walk->status =
        Status::Error("inet_diag dump failed: " + walk->status.message());
  }
  walk->suspicion = tracker.Finish();
  walk->duration_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return walk;
}

namespace {

bool ParseNumber(const std::string& text, double low, double high,
                 double* value) {
  char* end = nullptr;
  *value = std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size() &&
         std::isfinite(*value) && *value >= low && *value <= high;
}

}  // namespace

bool SocketWalker::ParseSuspicionConfig(const CollectorContext& context,
                                        SuspicionConfig* config,
                                        std::string* error) {
  struct NumberFlag {
    const char* flag;
    double low, high;
    const char* want;
    double* value;
  };
  double top_k = static_cast<double>(config->top_k);
  const NumberFlag flags[] = {
      {"suspects.threshold", 0, 1, "a number from 0 to 1", &config->threshold},
      {"suspects.top-k", 0, 1000, "a whole number from 0 to 1000", &top_k},
      {"suspects.idle-threshold", 1, 1e9, "seconds, at least 1",
       &config->scoring.idle_threshold_seconds},
  };
  for (const NumberFlag& flag : flags) {
    const std::string text = context.Flag(flag.flag, "");
    if (text.empty()) continue;
    if (!ParseNumber(text, flag.low, flag.high, flag.value) ||
        (flag.value == &top_k && top_k != std::floor(top_k))) {
      *error = "invalid value \"" + text + "\" for flag --" + flag.flag +
               ": want " + flag.want;
      return false;
    }
  }
  config->top_k = static_cast<std::size_t>(top_k);
  config->keep_addresses =
      context.Flag("suspects.expose-addresses", "false") == "true";
  return true;
}

std::shared_ptr<SocketWalker> SocketWalker::Shared(
    const CollectorContext& context) {
  const std::string replay = context.Flag("collector.sockets.replay");
  const bool per_family =
      context.Flag("collector.sockets.request", "legacy") == "per-family";
  SuspicionConfig suspicion;
  std::string ignored;  // The halfopen collector's factory reports it.
  ParseSuspicionConfig(context, &suspicion, &ignored);
  return context.shared->GetOrCreate<SocketWalker>(
      "socket_walker", [&]() -> std::shared_ptr<SocketWalker> {
        return std::make_shared<SocketWalker>(
            [replay, per_family]() -> std::unique_ptr<DiagSource> {
              if (!replay.empty()) return MakeReplayDiagSource(replay);
              return MakeNetlinkDiagSource(
                  per_family ? DiagRequestMode::kPerFamily
                             : DiagRequestMode::kLegacySingleWalk);
            },
            context.procfs, suspicion);
      });
}

}  // namespace halfopen
