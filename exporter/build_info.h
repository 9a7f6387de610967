#pragma once

namespace halfopen {

/// The release version, from CMake's project() version.
extern const char* const kVersion;
/// The short git revision the binary was built from, or "unknown".
extern const char* const kRevision;
/// docs/runbook.md, embedded at build time and served at /runbook.
extern const char* const kRunbookMarkdown;

}  // namespace halfopen
