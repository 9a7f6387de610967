# halfopen_layer(<target> <folder>): makes <folder> (below the source root)
# includable as "<name>/…" — <name> being the folder's last component — by
# <target> and by whatever links it, and by nothing else. Each layer gets an
# include root of its own in the build tree holding one symbolic link to its
# folder, so a layer can only include the headers of the layers it links: a
# pure layer cannot even name an I/O header. See docs/architecture.md.
function(halfopen_layer target folder)
  get_filename_component(name ${folder} NAME)
  set(root ${PROJECT_BINARY_DIR}/include-roots/${name})
  file(MAKE_DIRECTORY ${root})
  if(NOT EXISTS ${root}/${name})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${folder} ${root}/${name} SYMBOLIC)
  endif()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${root})
  else()
    target_include_directories(${target} PUBLIC ${root})
  endif()
endfunction()
