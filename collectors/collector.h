#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collectors/base/status.h"
#include "prometheus/metric_family.h"

namespace halfopen {

/// Identifies one collection: every collector run for the same scrape sees
/// the same id, so collectors can share work (one socket-table walk).
struct Scrape {
  std::uint64_t id = 0;
};

/// One source of metrics, run on every scrape. Collect() may be called from
/// several HTTP threads, but never concurrently for the same scrape: the
/// Scraper serialises collections, so implementations need no locking of
/// their own unless they keep state shared with other collectors.
class Collector {
 public:
  virtual ~Collector() = default;

  /// Appends this collector's metric families to *out. On error, returns a
  /// non-ok Status; whatever was appended is then discarded by the caller.
  virtual Status Collect(const Scrape& scrape,
                         std::vector<prometheus::MetricFamily>* out) = 0;
};

/// A collector-specific flag, e.g. `--collector.netstat.fields`. The flag
/// name is given in full, without the leading dashes.
struct CollectorOptionSpec {
  std::string flag;
  std::string help;
  std::string default_value;
  bool is_bool = false;  ///< Then also `--no-<flag>`; values true/false.
};

/// Objects that several collectors share (e.g. the socket-table walker),
/// created by the first collector that asks. Thread-safe.
class SharedObjects {
 public:
  template <typename T>
  std::shared_ptr<T> GetOrCreate(
      const std::string& key, const std::function<std::shared_ptr<T>()>& make) {
    std::lock_guard<std::mutex> lock(mu_);
    std::shared_ptr<void>& slot = objects_[key];
    if (slot == nullptr) slot = make();
    return std::static_pointer_cast<T>(slot);
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<void>> objects_;
};

/// What a collector factory may read: the /proc root every read must go
/// through, the values of every flag (by full name, without dashes), and the
/// objects collectors share.
struct CollectorContext {
  std::string procfs = "/proc";
  std::map<std::string, std::string> flags;
  std::shared_ptr<SharedObjects> shared = std::make_shared<SharedObjects>();

  /// The value of `flag`, or `fallback` when it was not given.
  std::string Flag(const std::string& flag,
                   const std::string& fallback = "") const;
};

/// Builds a collector, or explains in *error why its options are unusable.
using CollectorFactory = std::function<std::unique_ptr<Collector>(
    const CollectorContext& context, std::string* error)>;

/// How a collector presents itself to the flag parser and the registry.
struct CollectorSpec {
  std::string name;  ///< [a-z_]+; becomes `--[no-]collector.<name>`.
  std::string help;  ///< One sentence for `--help` and the landing page.
  bool enabled_by_default = true;
  std::vector<CollectorOptionSpec> options;
  CollectorFactory factory;
};

/// Every collector compiled into the binary. Collector files add themselves
/// at static-initialisation time through RegisterCollector(); afterwards the
/// catalog is read-only and safe to read from any thread.
class CollectorCatalog {
 public:
  static CollectorCatalog& Global();

  /// Adds a spec; returns true so it can initialise a static. A duplicate
  /// name is a programming error and aborts.
  bool Add(CollectorSpec spec);

  /// Specs sorted by name.
  const std::vector<CollectorSpec>& specs() const { return specs_; }

 private:
  std::vector<CollectorSpec> specs_;
};

}  // namespace halfopen
