// Google Benchmark cases for the hot path: decoding inet_diag datagrams and
// scoring sockets. Items processed are sockets, so the report's
// "items_per_second" inverts to ns per socket.

#include <benchmark/benchmark.h>

#include <array>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "decode/inet_diag_parser.h"
#include "model/evidence.h"
#include "model/socket_stats.h"
#include "model/suspicion_tracker.h"

namespace halfopen {
namespace {

struct Datagram {
  std::uint32_t sequence, port_id;
  std::vector<std::uint8_t> bytes;
};

// The recorded 6.18 dump (tests/fixtures/sockdiag), datagrams only.
std::vector<Datagram> LoadRecording() {
  std::ifstream in(std::string(HALFOPEN_SOURCE_DIR) +
                       "/tests/fixtures/sockdiag/linux-6.18-legacy.diag",
                   std::ios::binary);
  const std::vector<std::uint8_t> file((std::istreambuf_iterator<char>(in)),
                                       std::istreambuf_iterator<char>());
  std::vector<Datagram> datagrams;
  std::uint32_t sequence = 0, port_id = 0;
  for (std::size_t offset = 8; offset < file.size();) {
    const std::uint8_t kind = file[offset++];
    std::uint32_t a, b = 0;
    std::memcpy(&a, &file[offset], 4);
    if (kind == 'R') {
      std::memcpy(&b, &file[offset + 4], 4);
      sequence = a;
      port_id = b;
      offset += 8;
    } else {
      datagrams.push_back(
          {sequence,
           port_id,
           {file.begin() + offset + 4, file.begin() + offset + 4 + a}});
      offset += 4 + a;
    }
  }
  return datagrams;
}

class Counting : public SocketVisitor {
 public:
  void OnSocket(const SocketRecord& socket) override { stats.Add(socket); }
  SocketStats stats;
};

void BM_ParseDiagDatagrams(benchmark::State& state) {
  const auto datagrams = LoadRecording();
  std::int64_t sockets = 0;
  for (auto _ : state) {
    Counting visitor;
    ParseCounts counts;
    DumpError error;
    for (const auto& d : datagrams) {
      ParseDiagDatagram(d.bytes, d.sequence, d.port_id, visitor, &counts,
                        &error);
    }
    sockets += static_cast<std::int64_t>(counts.sockets);
    benchmark::DoNotOptimize(visitor.stats.scanned);
  }
  state.SetItemsProcessed(sockets);
}
BENCHMARK(BM_ParseDiagDatagrams);

SocketRecord Established(std::uint32_t i, bool reverse) {
  SocketRecord s;
  s.family = 2;
  s.state = kTcpEstablished;
  s.local_address = {127, 1, static_cast<std::uint8_t>(i >> 16),
                     static_cast<std::uint8_t>(i >> 8)};
  s.peer_address = {127, 0, 0, 1};
  s.local_port = static_cast<std::uint16_t>(32768 + i % 28000);
  s.peer_port = 8080;
  if (reverse) {
    std::swap(s.local_address, s.peer_address);
    std::swap(s.local_port, s.peer_port);
  }
  s.info.present = TcpInfo::kAll;
  s.info.last_ack_recv_ms = 50;
  s.info.last_data_recv_ms = s.info.last_data_sent_ms = 50;
  return s;
}

void BM_ScoreSocket(benchmark::State& state) {
  const SocketRecord socket = Established(7, false);
  const ScoringConfig config;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        ScoreSocket(socket, config, RoundTripLoss(kPriorOneWayLoss)));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScoreSocket);

// The whole model on N loopback pairs (2N sockets, all local): scoring,
// pair matching and the top-K, as one walk would run it.
void BM_TrackLocalPairs(benchmark::State& state) {
  const auto pairs = static_cast<std::uint32_t>(state.range(0));
  std::vector<SocketRecord> sockets;
  for (std::uint32_t i = 0; i < pairs; ++i) {
    sockets.push_back(Established(i, false));
    sockets.push_back(Established(i, true));
  }
  const LocalAddresses local;
  ListenerTable listeners;
  LocalPairTable table;
  SuspicionMemory memory;
  double now = 0;
  for (auto _ : state) {
    SuspicionTracker tracker(SuspicionConfig{}, KernelSettings{}, local,
                             listeners, &table, &memory, now += 10);
    for (const auto& socket : sockets) tracker.OnSocket(socket, nullptr);
    benchmark::DoNotOptimize(tracker.Finish());
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<std::int64_t>(sockets.size()));
}
BENCHMARK(BM_TrackLocalPairs)->Arg(1000)->Arg(100000);

}  // namespace
}  // namespace halfopen

BENCHMARK_MAIN();
