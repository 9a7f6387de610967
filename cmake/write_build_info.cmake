# Writes OUTPUT (a .cc defining halfopen::kVersion and kRevision) from the
# git revision of SOURCE_DIR, touching the file only when its text changes so
# that an unchanged revision triggers no rebuild. REVISION, when not empty,
# is used instead: a container build has no .git to ask.
if(NOT REVISION STREQUAL "")
  set(revision "${REVISION}")
else()
  execute_process(
    COMMAND git -C "${SOURCE_DIR}" rev-parse --short=12 HEAD
    OUTPUT_VARIABLE revision
    OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE git_result
    ERROR_QUIET)
  if(NOT git_result EQUAL 0 OR revision STREQUAL "")
    set(revision "unknown")
  endif()
endif()
set(text "#include \"exporter/build_info.h\"\n\nnamespace halfopen {\nconst char* const kVersion = \"${VERSION}\";\nconst char* const kRevision = \"${revision}\";\n}  // namespace halfopen\n")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old)
else()
  set(old "")
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUTPUT}" "${text}")
endif()
