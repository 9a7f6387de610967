#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "decode/inet_diag_parser.h"
#include "kernel/diag_source.h"
#include "model/listener_history.h"
#include "model/unix_listener_history.h"
#include "sources/sources.h"

namespace halfopen {

/// What the sampler does, from --collector.listeners.* flags.
struct SamplerOptions {
  /// Seconds between two samples; 0: no sampler.
  double interval_seconds = 0.1;
  /// The share of one core the sampler may use (0: no limit). When a round
  /// of samples costs more than budget × interval, it waits longer.
  double cpu_budget = 0.01;
  double peak_window_seconds = 60;
  ListenerFilter filter;
};

/// What a sampled namespace adds to a scrape, read under the sampler's lock.
struct SampledNamespace {
  const ListenerHistory* history = nullptr;  ///< Null: not sampled (yet).
  std::uint64_t errors = 0;                  ///< Samples that failed.
};

/// Samples every listener of every network namespace the sources know, many
/// times between scrapes, on a thread of its own: one LISTEN-only inet_diag
/// dump (which walks only the listening hash, however many connections
/// exist) per namespace and sample, and once SampleUnixListeners() was
/// called a LISTEN-only unix_diag dump too, into a UnixListenerHistory,
/// within the same CPU budget; into a ListenerHistory per namespace and
/// the namespace's DropLedger, so that a listener socket that closes between
/// two scrapes still has its drops counted. Each namespace's netlink socket
/// is opened once, inside it, and kept; in steady state a sample allocates
/// nothing. Namespaces follow the sources' last search
/// (Sources::Current). Thread-safe; stops and joins its thread when
/// destroyed.
class ListenerSampler {
 public:
  ListenerSampler(SamplerOptions options, std::shared_ptr<Sources> sources);
  ~ListenerSampler();
  ListenerSampler(const ListenerSampler&) = delete;
  ListenerSampler& operator=(const ListenerSampler&) = delete;

  /// Runs `read` with the sampler's lock held, and with the history of the
  /// namespace `inode` (null history when it is not sampled yet). `read`
  /// may call the history's FoldOthers. Its `now` is the history's clock.
  void With(std::uint64_t inode,
            const std::function<void(ListenerHistory* history,
                                     const SampledNamespace& sampled,
                                     double now)>& read);

  /// From now on samples the Unix listeners of every namespace too (the
  /// `unix` collector asks for it). The first call takes a sample at once,
  /// so that the sockets it needs are open when it returns (a scrape then
  /// leaves the exporter's descriptors as they will stay). Idempotent.
  void SampleUnixListeners();

  /// Runs `read` with the sampler's lock held, and with the Unix listener
  /// history of the namespace `inode` (null when not sampled yet).
  void WithUnix(std::uint64_t inode,
                const std::function<void(UnixListenerHistory* history,
                                         double now)>& read);

  /// The sampler the listeners collector runs over `sources`, shared with
  /// the other collectors; null when it runs none (turned off, or the
  /// listeners collector is disabled).
  static std::shared_ptr<ListenerSampler> Of(const Sources* sources);
  /// Makes `sampler` what Of(sources) returns while it lives.
  static void Share(const Sources* sources,
                    const std::shared_ptr<ListenerSampler>& sampler);

  /// CPU time the sampling thread has used, in seconds.
  double cpu_seconds() const;
  /// The interval the sampler keeps now: the configured one, or longer
  /// when the CPU budget requires.
  double interval_seconds() const;

  /// Takes one sample of every namespace now (the thread calls it every
  /// interval; tests call it to step the sampler).
  void SampleOnce();

  /// The clock histories are kept in: seconds on the steady clock.
  static double Now();

 private:
  // One namespace's Unix listeners being sampled.
  struct UnixTarget : UnixSocketVisitor {
    std::unique_ptr<DiagSource> source;  // Its socket lives in the netns.
    UnixListenerHistory history;
    ParseCounts counts;

    explicit UnixTarget(const ListenerHistory::Config& config)
        : history(config.peak_window_seconds, config.max_listeners) {}
    void OnUnixSocket(const UnixSocketRecord& socket) override {
      history.Observe(socket);
    }
  };

  // One namespace being sampled.
  struct Target : SocketVisitor {
    std::shared_ptr<Netns> netns;
    std::unique_ptr<DiagSource> source;  // Its socket lives in the netns.
    ListenerHistory history;
    std::vector<DropSample> drops;  // Of the sample being taken.
    ParseCounts counts;
    std::string error;  // Of the dump handler.
    DatagramHandler handler;
    std::uint64_t errors = 0;
    bool opened = false;
    std::unique_ptr<UnixTarget> unix_listeners;  // Once asked for.

    explicit Target(ListenerHistory::Config config) : history(config) {}
    void OnSocket(const SocketRecord& socket) override {
      if (socket.state != kTcpListen) return;
      history.Observe(socket);
      if (socket.drops.has_value()) {
        drops.push_back(
            {ListenerKey::Of(socket), socket.cookie, *socket.drops});
      }
    }
  };

  void Loop();
  void Reconcile();
  // One sample of `target`; false when it failed.
  Status Sample(Target& target, double now);
  Status Open(Target& target, double now);
  Status Dump(Target& target, double now);
  Status DumpUnix(Target& target, double now);
  Status DumpUnix(UnixTarget& target, double now);
  void NoteFailure(Target& target, const Status& status);

  const SamplerOptions options_;
  const std::shared_ptr<Sources> sources_;
  const ListenerHistory::Config history_config_;
  const DiagRequestMode mode_;

  mutable std::mutex mu_;  // Guards targets_ and the histories.
  std::map<std::uint64_t, std::unique_ptr<Target>> targets_;  // By inode.
  std::uint64_t generation_ = 0;
  bool unix_listeners_ = false;  // SampleUnixListeners() was called.
  // What every namespace's netlink socket receives into: one at a time.
  const std::shared_ptr<std::vector<std::uint8_t>> receive_buffer_ =
      std::make_shared<std::vector<std::uint8_t>>();
  double cpu_seconds_ = 0;
  double round_cpu_seconds_ = 0;  // Smoothed cost of one SampleOnce.
  double interval_seconds_;       // In effect.
  std::chrono::steady_clock::time_point last_warning_{};

  std::mutex stop_mu_;
  std::condition_variable stop_changed_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace halfopen
