#include <string>
#include <vector>

#include "collectors/sources.h"
#include "engine/collector.h"
#include "engine/family.h"
#include "model/address.h"

namespace halfopen {
namespace {

class ListenersCollector : public Collector {
 public:
  explicit ListenersCollector(std::shared_ptr<Sources> sources)
      : sources_(std::move(sources)) {}

  Status Collect(const Scrape& scrape,
                 std::vector<prometheus::MetricFamily>* out) override {
    const auto walk = sources_->walker().ForScrape(scrape.id);
    if (!walk->status.ok()) return walk->status;
    const auto gauge = prometheus::MetricType::Gauge;
    auto length = NewFamily(
        "halfopen_listen_queue_length",
        "Connections waiting in the listener's accept queue for accept().",
        gauge);
    auto limit = NewFamily(
        "halfopen_listen_queue_limit",
        "The accept queue's limit, min(listen() backlog, net.core.somaxconn); "
        "the queue is full when the length is greater than the limit.",
        gauge);
    auto syn_recv =
        NewFamily("halfopen_listen_syn_recv",
                  "Handshakes in SYN_RECV attributed to the listener.", gauge);
    auto retransmitting = NewFamily(
        "halfopen_listen_syn_recv_retransmitting",
        "Of those handshakes, the ones whose SYN-ACK was re-sent at least "
        "once: the client's final ACK was lost or ignored (often because the "
        "accept queue was full), and the client may believe it is connected.",
        gauge);
    for (const Listener& listener : walk->listeners.listeners()) {
      const LabelPairs labels = {
          {"family", FamilyLabel(listener.family)},
          {"address", FormatAddress(listener.family, listener.address)},
          {"port", std::to_string(listener.port)}};
      AddSample(&length, labels, listener.queue_length);
      AddSample(&limit, labels, listener.queue_limit);
      AddSample(&syn_recv, labels, listener.syn_recv);
      AddSample(&retransmitting, labels, listener.syn_recv_retransmitting);
    }
    auto unattributed = NewFamily(
        "halfopen_listen_syn_recv_unattributed",
        "SYN_RECV handshakes whose listener was not found in the same dump "
        "(it closed, or appeared, while the table was being read).",
        gauge);
    AddSample(&unattributed, {},
              static_cast<double>(walk->listeners.unattributed()));
    for (auto* family :
         {&length, &limit, &syn_recv, &retransmitting, &unattributed}) {
      out->push_back(std::move(*family));
    }
    return Status::Ok();
  }

 private:
  const std::shared_ptr<Sources> sources_;
};

const bool kRegistered = CollectorCatalog::Global().Add(
    DefineCollector<NoOptions>(
        "listeners",
        "Accept-queue length and limit and SYN_RECV handshakes per listening "
        "socket, from the same dump as the sockets collector.",
        true, nullptr,
        [](const NoOptions&, std::shared_ptr<Sources> sources) {
          return std::make_unique<ListenersCollector>(std::move(sources));
        }));

}  // namespace
}  // namespace halfopen
