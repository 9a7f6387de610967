#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/flags.h"
#include "prometheus/metric_family.h"

namespace halfopen {

// Defined by the sources layer (sources/sources.h): what collectors
// read through, and the flags that configure it. The engine only passes
// them on.
struct SourceOptions;
class Sources;

/// Identifies one collection: every collector run for the same scrape sees
/// the same id, so collectors can share work (one socket-table walk).
struct Scrape {
  std::uint64_t id = 0;
  /// When the collection must be over (steady clock): work that may be put
  /// off to a later scrape should be, rather than run past it.
  std::chrono::steady_clock::time_point deadline =
      std::chrono::steady_clock::time_point::max();
};

/// One source of metrics, run on every scrape. The Scraper calls Collect() on
/// a thread of the collector's own, never concurrently with itself, while
/// other collectors run on theirs: implementations need no locking of their
/// own unless they keep state shared with other collectors. A Collect() that
/// blocks or throws costs only its own result (see Scraper).
class Collector {
 public:
  virtual ~Collector() = default;

  /// Appends this collector's metric families to *out. On error, returns a
  /// non-ok Status; whatever was appended is then discarded by the caller.
  virtual Status Collect(const Scrape& scrape,
                         std::vector<prometheus::MetricFamily>* out) = 0;
};

/// How a collector presents itself to the flag parser and the registry.
struct CollectorSpec {
  std::string name;  ///< [a-z_]+; becomes `--[no-]collector.<name>`.
  std::string help;  ///< One sentence for `--help` and the landing page.
  bool enabled_by_default = true;
  /// Declares the collector's own flags, bound to its own typed options or
  /// to the shared `sources` options it configures. Called once, before
  /// parsing, whether or not the collector ends up enabled.
  std::function<void(FlagSet* flags, SourceOptions* sources)> declare_flags;
  /// Builds the collector once the flags are parsed. Cannot fail: every
  /// value was checked while parsing.
  std::function<std::unique_ptr<Collector>(std::shared_ptr<Sources> sources)>
      make;
};

/// The options of a collector that declares no flags of its own.
struct NoOptions {};

/// A spec whose own flags fill an `Options` value that the spec keeps and
/// hands to `make`: each flag is declared once, typed, beside its collector.
template <typename Options>
CollectorSpec DefineCollector(
    std::string name, std::string help, bool enabled_by_default,
    std::function<void(FlagSet*, SourceOptions*, Options*)> declare_flags,
    std::function<std::unique_ptr<Collector>(const Options&,
                                             std::shared_ptr<Sources>)>
        make) {
  auto options = std::make_shared<Options>();
  return {std::move(name), std::move(help), enabled_by_default,
          [options, declare_flags](FlagSet* flags, SourceOptions* sources) {
            *options = Options();  // Defaults again for every new FlagSet.
            if (declare_flags) declare_flags(flags, sources, options.get());
          },
          [options, make](std::shared_ptr<Sources> sources) {
            return make(*options, std::move(sources));
          }};
}

/// Every collector compiled into the binary. Collector files add themselves
/// at static-initialisation time; afterwards the catalog is read-only and
/// safe to read from any thread.
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
