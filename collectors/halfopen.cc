#include <cmath>
#include <string>
#include <vector>

#include "collectors/each_netns.h"
#include "engine/collector.h"
#include "engine/family.h"
#include "model/address.h"
#include "model/top_suspects.h"
#include "sources/sources.h"

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
    const auto gauge = prometheus::MetricType::Gauge;
    Families families{
        NewFamily("halfopen_suspects",
                  "Connections whose half-open suspicion score is at least "
                  "the threshold (--suspects.threshold), by their strongest "
                  "reason.",
                  gauge),
        NewFamily("halfopen_suspect_score",
                  "Half-open suspicion score (0..1) of each of the top-K "
                  "suspects (--suspects.top-k), with its strongest reason.",
                  gauge),
        NewFamily(
            "halfopen_suspect_giveup_eta_seconds",
            "For the same suspects: seconds until the kernel gives up on the "
            "connection under this namespace's sysctls (+Inf: never, e.g. "
            "idle without keepalive). Per-socket overrides such as "
            "TCP_USER_TIMEOUT or TCP_KEEPCNT are invisible here; the sysctls "
            "are assumed.",
            gauge),
        NewFamily(
            "halfopen_suspect_connections",
            "For the same suspects: how many connections share the series' "
            "labels. Without --suspects.expose-addresses, clients on "
            "different hosts can use the same port; their connections are "
            "folded into one series whose score and ETA are the "
            "highest-scoring one's.",
            gauge),
        NewFamily(
            "halfopen_suspect_age_seconds",
            "For the same suspects: seconds the evidence behind the reason "
            "has persisted from scrape to scrape, i.e. how long the "
            "connection has been suspect as far as this exporter has seen "
            "(a restart starts again from 0; 0 for idle_unprotected, which "
            "is not remembered).",
            gauge),
        NewFamily("halfopen_idle_unprotected_connections",
                  "ESTABLISHED connections idle beyond "
                  "--suspects.idle-threshold with no keepalive timer: if "
                  "their peer vanished the kernel would never notice.",
                  gauge)};
    const SuspicionConfig& config = sources_->options().suspicion;
    Status status = ForEachWalk(
        *sources_, scrape,
        [&](const NamespaceWalk& walk, const LabelPairs& labels) {
          if (!walk.walk->status.ok()) return walk.walk->status;
          if (walk.walk->connections_unknown) return Status::Ok();
          if (!walk.walk->suspicion_status.ok()) {
            return Status::Error("cannot score connections: " +
                                 walk.walk->suspicion_status.message());
          }
          Render(Merge(walk.walk->suspicion, walk.cross, config), labels,
                 &families);
          return Status::Ok();
        });
    for (auto* family :
         {&families.suspects, &families.score, &families.eta,
          &families.connections, &families.age, &families.idle}) {
      out->push_back(std::move(*family));
    }
    return status;
  }

 private:
  struct Families {
    prometheus::MetricFamily suspects, score, eta, connections, age, idle;
  };

  void Render(const SuspicionSummary& summary,
              const LabelPairs& namespace_labels, Families* families) const {
    for (const Reason reason : kAllReasons) {
      AddSample(&families->suspects,
                Join(namespace_labels, {{"reason", ReasonLabel(reason)}}),
                static_cast<double>(
                    summary.suspects[static_cast<std::size_t>(reason)]));
    }
    for (const Suspect& suspect : summary.top) {
      LabelPairs labels = Join(
          namespace_labels, {{"reason", ReasonLabel(suspect.reason)},
                             {"state", StateLabel(suspect.state)},
                             {"local_port", std::to_string(suspect.local_port)},
                             {"peer_port", std::to_string(suspect.peer_port)}});
      if (expose_addresses_) {
        labels.push_back(
            {"local_address",
             FormatAddress(suspect.family, suspect.local_address)});
        labels.push_back({"peer_address",
                          FormatAddress(suspect.family, suspect.peer_address)});
      }
      AddSample(&families->score, labels, suspect.score);
      AddSample(&families->eta, labels, suspect.eta_seconds);
      AddSample(&families->connections, labels, suspect.connections);
      AddSample(&families->age, labels, suspect.age_seconds);
    }
    AddSample(&families->idle, namespace_labels,
              static_cast<double>(summary.idle_unprotected));
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

const bool kRegistered =
    CollectorCatalog::Global().Add(DefineCollector<NoOptions>(
        "halfopen",
        "Half-open suspicion: a score and reason per connection, the top-K "
        "suspects and the kernel's give-up ETA, from the same dump.",
        true, DeclareSuspectFlags,
        [](const NoOptions&, std::shared_ptr<Sources> sources) {
          return std::make_unique<HalfopenCollector>(std::move(sources));
        }));

}  // namespace
}  // namespace halfopen
