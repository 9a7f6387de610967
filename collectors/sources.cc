#include "collectors/sources.h"

namespace halfopen {
namespace {

SocketWalker::SourceFactory DiagSourceFactory(const SourceOptions& options) {
  const std::string replay = options.replay;
  const DiagRequestMode mode = options.request == "per-family"
                                   ? DiagRequestMode::kPerFamily
                                   : DiagRequestMode::kLegacySingleWalk;
  return [replay, mode]() -> std::unique_ptr<DiagSource> {
    if (!replay.empty()) return MakeReplayDiagSource(replay);
    return MakeNetlinkDiagSource(mode);
  };
}

}  // namespace

Sources::Sources(const SourceOptions& options,
                 SocketWalker::SourceFactory make_source)
    : options_(options),
      procfs_(options.procfs),
      sysctls_(ProcfsReader(options.procfs)),
      walker_(make_source ? std::move(make_source) : DiagSourceFactory(options),
              &sysctls_, options.suspicion) {}

}  // namespace halfopen
