#include <cmath>
#include <string>
#include <vector>

#include "collectors/sources.h"
#include "engine/collector.h"
#include "engine/family.h"
#include "model/address.h"

namespace halfopen {
namespace {

constexpr Reason kAllReasons[] = {
    Reason::kRetransmitStall,   Reason::kKeepaliveUnanswered,
    Reason::kZeroWindowStall,   Reason::kHandshakeStalled,
    Reason::kAcceptQueueOrphan, Reason::kPeerMissing,
    Reason::kIdleUnprotected};

class HalfopenCollector : public Collector {
 public:
  explicit HalfopenCollector(std::shared_ptr<Sources> sources)
      : sources_(std::move(sources)),
        expose_addresses_(sources_->options().suspicion.keep_addresses) {}

  Status Collect(const Scrape& scrape,
                 std::vector<prometheus::MetricFamily>* out) override {
    const auto walk = sources_->walker().ForScrape(scrape.id);
    if (!walk->status.ok()) return walk->status;
    if (!walk->suspicion_status.ok()) {
      return Status::Error("cannot score connections: " +
                           walk->suspicion_status.message());
    }
    const SuspicionSummary& summary = walk->suspicion;
    const auto gauge = prometheus::MetricType::Gauge;
    auto suspects = NewFamily(
        "halfopen_suspects",
        "Connections whose half-open suspicion score is at least the "
        "threshold (--suspects.threshold), by their strongest reason.",
        gauge);
    for (const Reason reason : kAllReasons) {
      AddSample(&suspects, {{"reason", ReasonLabel(reason)}},
                static_cast<double>(
                    summary.suspects[static_cast<std::size_t>(reason)]));
    }
    out->push_back(std::move(suspects));
    RenderTop(summary, out);
    auto idle = NewFamily(
        "halfopen_idle_unprotected_connections",
        "ESTABLISHED connections idle beyond --suspects.idle-threshold with no "
        "keepalive timer: if their peer vanished the kernel would never "
        "notice.",
        gauge);
    AddSample(&idle, {}, static_cast<double>(summary.idle_unprotected));
    out->push_back(std::move(idle));
    RenderOrphans(*walk, out);
    return Status::Ok();
  }

 private:
  void RenderTop(const SuspicionSummary& summary,
                 std::vector<prometheus::MetricFamily>* out) const {
    const auto gauge = prometheus::MetricType::Gauge;
    auto score = NewFamily(
        "halfopen_suspect_score",
        "Half-open suspicion score (0..1) of each of the top-K suspects "
        "(--suspects.top-k), with its strongest reason.",
        gauge);
    auto eta = NewFamily(
        "halfopen_suspect_giveup_eta_seconds",
        "For the same suspects: seconds until the kernel gives up on the "
        "connection under this namespace's sysctls (+Inf: never, e.g. idle "
        "without keepalive). Per-socket overrides such as TCP_USER_TIMEOUT or "
        "TCP_KEEPCNT are invisible here; the sysctls are assumed.",
        gauge);
    for (const Suspect& suspect : summary.top) {
      LabelPairs labels = {{"reason", ReasonLabel(suspect.reason)},
                           {"state", StateLabel(suspect.state)},
                           {"local_port", std::to_string(suspect.local_port)},
                           {"peer_port", std::to_string(suspect.peer_port)}};
      if (expose_addresses_) {
        labels.push_back(
            {"local_address",
             FormatAddress(suspect.family, suspect.local_address)});
        labels.push_back({"peer_address",
                          FormatAddress(suspect.family, suspect.peer_address)});
      }
      AddSample(&score, labels, suspect.score);
      AddSample(&eta, labels, suspect.eta_seconds);
    }
    out->push_back(std::move(score));
    out->push_back(std::move(eta));
  }

  static void RenderOrphans(const SocketWalk& walk,
                            std::vector<prometheus::MetricFamily>* out) {
    auto orphans = NewFamily(
        "halfopen_listen_orphaned_handshakes",
        "SYN_RECV handshakes being retransmitted while the listener's accept "
        "queue is full: their clients believe they are connected.",
        prometheus::MetricType::Gauge);
    for (const Listener& listener : walk.listeners.listeners()) {
      AddSample(&orphans,
                {{"family", FamilyLabel(listener.family)},
                 {"address", FormatAddress(listener.family, listener.address)},
                 {"port", std::to_string(listener.port)}},
                listener.orphaned_handshakes);
    }
    out->push_back(std::move(orphans));
  }

  const std::shared_ptr<Sources> sources_;
  const bool expose_addresses_;
};

// The --suspects.* flags tune the model, which runs inside the shared walk.
void DeclareSuspectFlags(FlagSet* flags, SourceOptions* sources, NoOptions*) {
  SuspicionConfig* config = &sources->suspicion;
  flags->Number("suspects.threshold",
                "Score from which a connection counts as a suspect (0..1).",
                &config->threshold, 0, 1);
  flags->WholeNumber<std::size_t>(
      "suspects.top-k",
      "How many suspects get their own halfopen_suspect_score series.",
      &config->top_k, 0, 1000);
  flags->Number("suspects.idle-threshold",
                "Seconds of idleness after which an ESTABLISHED connection "
                "without keepalive counts as idle_unprotected.",
                &config->scoring.idle_threshold_seconds, 1, 1e9);
  flags->Bool("suspects.expose-addresses",
              "Add local_address and peer_address labels to the suspect "
              "series (addresses are sensitive and unbounded; off by "
              "default).",
              &config->keep_addresses);
}

const bool kRegistered = CollectorCatalog::Global().Add(
    DefineCollector<NoOptions>(
        "halfopen",
        "Half-open suspicion: a score and reason per connection, the top-K "
        "suspects and the kernel's give-up ETA, from the same dump.",
        true, DeclareSuspectFlags,
        [](const NoOptions&, std::shared_ptr<Sources> sources) {
          return std::make_unique<HalfopenCollector>(std::move(sources));
        }));

}  // namespace
}  // namespace halfopen
