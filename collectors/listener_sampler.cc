#include "collectors/listener_sampler.h"

#include <time.h>

#include <algorithm>

#include "engine/log.h"
#include "sources/socket_walk.h"
#include "sources/unix_listeners.h"

namespace halfopen {
namespace {

// How often a failing sampler may log (its errors are counted always).
constexpr auto kWarningInterval = std::chrono::minutes(1);

double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + now.tv_nsec * 1e-9;
}

}  // namespace

double ListenerSampler::Now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

ListenerSampler::ListenerSampler(SamplerOptions options,
                                 std::shared_ptr<Sources> sources)
    : options_(std::move(options)),
      sources_(std::move(sources)),
      history_config_{options_.peak_window_seconds, 65536, options_.filter},
      mode_(sources_->options().request == "per-family"
                ? DiagRequestMode::kPerFamily
                : DiagRequestMode::kLegacySingleWalk),
      interval_seconds_(options_.interval_seconds) {
  if (options_.interval_seconds > 0) thread_ = std::thread([this] { Loop(); });
}

ListenerSampler::~ListenerSampler() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_ = true;
  }
  stop_changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ListenerSampler::Loop() {
  using Clock = std::chrono::steady_clock;
  auto next = Clock::now();
  while (true) {
    SampleOnce();
    const auto interval = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(interval_seconds()));
    // On a fixed schedule; a sample that overran skips the slots it missed
    // rather than sampling twice in a row.
    next += interval;
    const auto now = Clock::now();
    if (next < now) next += ((now - next) / interval + 1) * interval;
    std::unique_lock<std::mutex> lock(stop_mu_);
    if (stop_changed_.wait_until(lock, next, [this] { return stop_; })) return;
  }
}

void ListenerSampler::SampleOnce() {
  const double cpu_before = ThreadCpuSeconds();
  std::lock_guard<std::mutex> lock(mu_);
  Reconcile();
  const double now = Now();
  for (auto& [inode, target] : targets_) {
    const Status status = Sample(*target, now);
    if (!status.ok()) NoteFailure(*target, status);
  }
  const double cost = ThreadCpuSeconds() - cpu_before;
  cpu_seconds_ += cost;
  // Smoothed, so that one slow round (a namespace opened) does not slow the
  // sampler for long; then stretched to the budget.
  round_cpu_seconds_ =
      round_cpu_seconds_ == 0 ? cost : 0.8 * round_cpu_seconds_ + 0.2 * cost;
  interval_seconds_ = options_.cpu_budget > 0
                          ? std::max(options_.interval_seconds,
                                     round_cpu_seconds_ / options_.cpu_budget)
                          : options_.interval_seconds;
}

void ListenerSampler::Reconcile() {
  const std::uint64_t generation = sources_->generation();
  if (generation == generation_) return;
  generation_ = generation;
  std::map<std::uint64_t, std::unique_ptr<Target>> next;
  for (const std::shared_ptr<Netns>& netns : sources_->Current()) {
    const std::uint64_t inode = netns->identity.inode;
    auto known = targets_.find(inode);
    if (known != targets_.end()) {
      next[inode] = std::move(known->second);
      continue;
    }
    auto target = std::make_unique<Target>(history_config_);
    target->netns = netns;
    target->handler =
        ParsingHandler(target.get(), &target->counts, &target->error);
    next[inode] = std::move(target);
  }
  // Namespaces no longer found close their socket and file here, which lets
  // the kernel free them.
  targets_.swap(next);
}

Status ListenerSampler::Sample(Target& target, double now) {
  Status status = target.opened ? Dump(target, now) : Open(target, now);
  if (status.ok() && unix_listeners_) status = DumpUnix(target, now);
  return status;
}

Status ListenerSampler::DumpUnix(Target& target, double now) {
  if (target.unix_listeners == nullptr) {
    target.unix_listeners = std::make_unique<UnixTarget>(history_config_);
  }
  UnixTarget& unix_target = *target.unix_listeners;
  if (unix_target.source != nullptr) return DumpUnix(unix_target, now);
  // Opened by its first dump, inside the namespace, like the TCP one: it
  // then belongs to the namespace for good.
  Status status;
  target.netns->io->Run([&] {
    unix_target.source =
        MakeNetlinkDiagSource(DiagRequestMode::kPerFamily, receive_buffer_);
    status = DumpUnix(unix_target, now);
  });
  return status;
}

Status ListenerSampler::DumpUnix(UnixTarget& target, double now) {
  target.history.BeginSample(now);
  Status status = DumpUnixListeners(*target.source, &target, &target.counts);
  if (!status.ok()) {
    target.source.reset();  // Reopened inside the namespace next time.
    return status;
  }
  target.history.EndSample();
  return Status::Ok();
}

void ListenerSampler::SampleUnixListeners() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (unix_listeners_) return;
    unix_listeners_ = true;
  }
  SampleOnce();
}

void ListenerSampler::WithUnix(
    std::uint64_t inode,
    const std::function<void(UnixListenerHistory*, double)>& read) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto found = targets_.find(inode);
  UnixListenerHistory* history = nullptr;
  if (found != targets_.end() && found->second->unix_listeners != nullptr &&
      found->second->unix_listeners->history.samples() > 0) {
    history = &found->second->unix_listeners->history;
  }
  read(history, Now());
}

namespace {

std::mutex shared_mu;
std::map<const Sources*, std::weak_ptr<ListenerSampler>> shared_samplers;

}  // namespace

std::shared_ptr<ListenerSampler> ListenerSampler::Of(const Sources* sources) {
  std::lock_guard<std::mutex> lock(shared_mu);
  const auto found = shared_samplers.find(sources);
  return found == shared_samplers.end() ? nullptr : found->second.lock();
}

void ListenerSampler::Share(const Sources* sources,
                            const std::shared_ptr<ListenerSampler>& sampler) {
  std::lock_guard<std::mutex> lock(shared_mu);
  shared_samplers[sources] = sampler;
}

Status ListenerSampler::Open(Target& target, double now) {
  // Inside the namespace: the netlink socket opened there belongs to it for
  // good, whichever thread uses it later.
  Status status;
  target.netns->io->Run([&] {
    target.source = MakeNetlinkDiagSource(mode_, receive_buffer_);
    status = Dump(target, now);
  });
  target.opened = status.ok();
  return status;
}

Status ListenerSampler::Dump(Target& target, double now) {
  target.history.BeginSample(now);
  target.error.clear();
  target.drops.clear();  // Keeps its capacity: no allocation once warm.
  const double started = Now();
  Status status = target.source->Dump(DumpScope::kListeners, target.handler);
  if (!status.ok()) {
    return Status::Error("LISTEN dump failed: " + (target.error.empty()
                                                       ? status.message()
                                                       : target.error));
  }
  target.history.EndSample();
  target.netns->drops.Apply(target.drops, started);
  return Status::Ok();
}

void ListenerSampler::NoteFailure(Target& target, const Status& status) {
  ++target.errors;
  // Reopened inside the namespace at the next sample: a source left to
  // reopen itself would do so in this thread's namespace.
  target.source.reset();
  target.opened = false;
  const auto now = std::chrono::steady_clock::now();
  if (last_warning_ == std::chrono::steady_clock::time_point{} ||
      now - last_warning_ >= kWarningInterval) {
    last_warning_ = now;
    Log(spdlog::level::warn, "listener sample failed",
        {{"netns", target.netns->identity.inode},
         {"error", status.message()},
         {"errors_total", target.errors}});
  }
}

void ListenerSampler::With(
    std::uint64_t inode,
    const std::function<void(ListenerHistory*, const SampledNamespace&,
                             double)>& read) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto found = targets_.find(inode);
  if (found == targets_.end()) {
    read(nullptr, {}, Now());
    return;
  }
  Target& target = *found->second;
  ListenerHistory* history =
      target.history.samples() > 0 ? &target.history : nullptr;
  read(history, {history, target.errors}, Now());
}

double ListenerSampler::interval_seconds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return interval_seconds_;
}

double ListenerSampler::cpu_seconds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cpu_seconds_;
}

}  // namespace halfopen
