#include "sources/socket_walk.h"

#include <chrono>

#include "decode/proc_text.h"
#include "kernel/errno_text.h"
#include "kernel/interface_addresses.h"

namespace halfopen {
namespace {

// Takes the LISTEN sockets of a listeners' dump: into the walk's counts and
// listener table, and their drop counts into `drops`. (A recording replays
// every socket whatever the dump asked for: the others are left for the
// connections' dump.)
class ListenerVisitor : public SocketVisitor {
 public:
  ListenerVisitor(SocketWalk* walk, std::vector<DropSample>* drops)
      : walk_(walk), drops_(drops) {}

  void OnSocket(const SocketRecord& socket) override {
    if (socket.state != kTcpListen) return;
    walk_->stats.Add(socket);
    walk_->listeners.AddListener(socket);
    if (socket.drops.has_value()) {
      drops_->push_back(
          {ListenerKey::Of(socket), socket.cookie, *socket.drops});
    }
  }

 private:
  SocketWalk* walk_;
  std::vector<DropSample>* drops_;
};

// Feeds every other socket to every consumer, with the listeners known.
class ConnectionVisitor : public SocketVisitor {
 public:
  ConnectionVisitor(SocketWalk* walk, SuspicionTracker* tracker)
      : walk_(walk), tracker_(tracker) {}

  void OnSocket(const SocketRecord& socket) override {
    if (socket.state == kTcpListen) return;
    walk_->stats.Add(socket);
    const Listener* listener = nullptr;
    if (socket.state == kTcpSynRecv || socket.state == kTcpNewSynRecv) {
      listener = walk_->listeners.AttributeHandshake(socket);
    }
    tracker_->OnSocket(socket, listener);
  }

 private:
  SocketWalk* walk_;
  SuspicionTracker* tracker_;
};

}  // namespace

DatagramHandler ParsingHandler(SocketVisitor* visitor, ParseCounts* counts,
                               std::string* error) {
  return [=](std::span<const std::uint8_t> datagram, const DiagRequestId& id) {
    DumpError dump_error;
    switch (ParseDiagDatagram(datagram, id.sequence, id.port_id, *visitor,
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

std::shared_ptr<const SocketWalk> SocketWalker::ForScrape(
    std::uint64_t scrape_id, bool full_walk_allowed) {
  std::lock_guard<std::mutex> lock(mu_);
  if (last_ == nullptr || scrape_id != last_scrape_) {
    last_ = Walk(scrape_id, full_walk_allowed);
    last_scrape_ = scrape_id;
    parse_errors_total_ += last_->counts.malformed;
  }
  return last_;
}

double SocketWalker::last_full_walk() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_full_seconds_;
}

std::optional<double> SocketWalker::last_full_walk_duration_seconds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_full_duration_seconds_;
}

void SocketWalker::Graft(SocketWalk* walk, double now_seconds) const {
  if (last_full_ == nullptr) {
    walk->connections_unknown = true;
    return;
  }
  walk->stats = last_full_->stats;
  walk->suspicion = last_full_->suspicion;
  walk->suspicion_status = last_full_->suspicion_status;
  walk->connections_age_seconds = now_seconds - last_full_seconds_;
}

std::uint64_t SocketWalker::parse_errors_total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return parse_errors_total_;
}

std::shared_ptr<const SocketWalk> SocketWalker::Walk(std::uint64_t scrape_id,
                                                     bool full_walk_allowed) {
  const auto start = std::chrono::steady_clock::now();
  const double now_seconds =
      std::chrono::duration<double>(start.time_since_epoch()).count();
  KernelSettings settings;
  const Status settings_status =
      sysctls_.ForScrape(scrape_id)->Settings(&settings);
  std::shared_ptr<SocketWalk> walk;
  io_.Run([&] {
    if (source_ == nullptr) source_ = make_source_();
    walk = DumpListeners(now_seconds);
    if (!walk->status.ok()) return;
    walk->listeners_only = !io_.own() && OnlyListeners(*walk);
    if (walk->listeners_only) {
      // No connection left: whatever was remembered has closed.
      memory_.BeginWalk(now_seconds);
      memory_.EndWalk();
      last_full_ = walk;  // Complete as it is: there is nothing to walk.
      last_full_seconds_ = now_seconds;
    } else if (!full_walk_allowed && !io_.own()) {
      // Its turn comes at a later scrape: the memory keeps what it knows.
      Graft(walk.get(), now_seconds);
    } else {
      DumpConnections(walk.get(), settings, settings_status, now_seconds);
      if (walk->status.ok()) {
        last_full_ = walk;
        last_full_seconds_ = now_seconds;
      }
    }
    for (const Listener& listener : walk->listeners.listeners()) {
      if (listener.device != 0 &&
          !walk->device_names.contains(listener.device)) {
        walk->device_names[listener.device] = InterfaceName(listener.device);
      }
    }
  });
  walk->duration_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (last_full_ == walk) last_full_duration_seconds_ = walk->duration_seconds;
  return walk;
}

std::shared_ptr<SocketWalk> SocketWalker::DumpListeners(double now_seconds) {
  auto walk = std::make_shared<SocketWalk>();
  std::vector<DropSample> drops;
  ListenerVisitor visitor(walk.get(), &drops);
  DumpInto(DumpScope::kListeners, &visitor, walk.get());
  if (walk->status.ok()) drops_.Apply(drops, now_seconds);
  return walk;
}

void SocketWalker::DumpConnections(SocketWalk* walk,
                                   const KernelSettings& settings,
                                   const Status& settings_status,
                                   double now_seconds) {
  walk->suspicion_status = settings_status;
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
                           walk->listeners, &pairs_, &memory_, now_seconds,
                           cross_);
  ConnectionVisitor visitor(walk, &tracker);
  DumpInto(DumpScope::kConnections, &visitor, walk);
  walk->suspicion = tracker.Finish();
}

void SocketWalker::DumpInto(DumpScope scope, SocketVisitor* visitor,
                            SocketWalk* walk) {
  std::string parse_error;
  const std::uint64_t cut_before = walk->counts.cut_short;
  walk->status = source_->Dump(
      scope, ParsingHandler(visitor, &walk->counts, &parse_error));
  const std::uint64_t cut = walk->counts.cut_short - cut_before;
  if (!walk->status.ok()) {
    walk->status = Status::Error(
        "inet_diag dump failed: " +
        (parse_error.empty() ? walk->status.message() : parse_error));
  } else if (cut > 0) {
    // A single odd message costs one socket and is skipped; a datagram cut
    // short loses every socket after the cut, and counts built from it
    // would be wrong while looking right.
    walk->status =
        Status::Error("inet_diag dump incomplete: " + std::to_string(cut) +
                      " datagram(s) ended inside a netlink message");
  }
}

bool SocketWalker::OnlyListeners(const SocketWalk& walk) const {
  std::string text;
  TcpSockstat tcp;
  if (!io_.net().Read("net/sockstat", &text).ok() ||
      !ParseTcpSockstat(text, &tcp)) {
    return false;  // Cannot tell: walk everything.
  }
  std::uint64_t listening = 0;
  for (const Listener& listener : walk.listeners.listeners()) {
    listening += listener.sockets;
  }
  return tcp.tw == 0 && tcp.inuse <= listening;
}

}  // namespace halfopen
