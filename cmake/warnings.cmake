# Warnings for every target. They become errors only with HALFOPEN_WERROR,
# which scripts/test.sh (and so CI) turns on: a newer compiler's new warning
# must not break a user's build.
add_compile_options(-Wall -Wextra)
if(HALFOPEN_WERROR)
  add_compile_options(-Werror)
  # GCC 12 reports a memcpy of 2^63 bytes that "may overlap" when it inlines
  # `"literal" + std::string&&` at -O3 (basic_string::insert); the warning
  # is a known false positive, fixed in GCC 13. It stays a warning there.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU"
     AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    add_compile_options(-Wno-error=restrict)
  endif()
endif()
