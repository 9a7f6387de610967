# Writes OUTPUT, a .cc defining `const char* const halfopen::SYMBOL` holding
# the text of INPUT, so that the binary serves a document without reading
# it from disk. Run as `cmake -DINPUT=… -DOUTPUT=… -DSYMBOL=… -P`.
file(READ "${INPUT}" text)
set(delimiter "embedded_text_")
string(FIND "${text}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string's delimiter")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by cmake/embed_text.cmake.\n"
  "#include \"exporter/build_info.h\"\n"
  "namespace halfopen {\n"
  "const char* const ${SYMBOL} = R\"${delimiter}(${text})${delimiter}\";\n"
  "}  // namespace halfopen\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
