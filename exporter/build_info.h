#pragma once

namespace halfopen {

/// The release version, from CMake's project() version.
extern const char* const kVersion;
/// The short git revision the binary was built from, or "unknown".
extern const char* const kRevision;

}  // namespace halfopen
