#include "engine/collector.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace halfopen {

CollectorCatalog& CollectorCatalog::Global() {
  static CollectorCatalog* catalog = new CollectorCatalog();
  return *catalog;
}

bool CollectorCatalog::Add(CollectorSpec spec) {
  for (const auto& existing : specs_) {
    if (existing.name == spec.name) {
      std::fprintf(stderr, "collector %s registered twice\n",
                   spec.name.c_str());
      std::abort();
    }
  }
  specs_.push_back(std::move(spec));
  std::sort(specs_.begin(), specs_.end(),
            [](const CollectorSpec& a, const CollectorSpec& b) {
              return a.name < b.name;
            });
  return true;
}

}  // namespace halfopen
