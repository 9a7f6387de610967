#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collectors/base/status.h"
#include "prometheus/metric_family.h"

namespace halfopen {

/// One source of metrics, run on every scrape. Collect() may be called from
/// several HTTP threads, but never concurrently for the same scrape: the
/// Scraper serialises collections, so implementations need no locking of
/// their own unless they keep state shared with other collectors.
class Collector {
 public:
  virtual ~Collector() = default;

  /// Appends this collector's metric families to *out. On error, returns a
  /// non-ok Status; whatever was appended is then discarded by the caller.
  virtual Status Collect(std::vector<prometheus::MetricFamily>* out) = 0;
};

/// A collector-specific flag, e.g. `--collector.netstat.fields`. The flag
/// name is given in full, without the leading dashes.
struct CollectorOptionSpec {
  std::string flag;
  std::string help;
  std::string default_value;
};

/// What a collector factory may read: the /proc root every read must go
/// through, and the values of every flag (by full name, without dashes).
struct CollectorContext {
  std::string procfs = "/proc";
  std::map<std::string, std::string> flags;

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
