# Runs at install time (cmake --install, CPack) with the variables set by
# install.cmake. Writes the systemd unit with the paths of this install and,
# unless one is already there, the /etc/default file it reads flags from.
string(REGEX REPLACE "/+$" "" prefix "${CMAKE_INSTALL_PREFIX}")

# GNUInstallDirs' rule: a /usr (or /) install keeps its configuration in /etc.
function(halfopen_full_dir relative out)
  if(IS_ABSOLUTE "${relative}")
    set(${out} "${relative}" PARENT_SCOPE)
  else()
    set(${out} "${prefix}/${relative}" PARENT_SCOPE)
  endif()
endfunction()
halfopen_full_dir("${HALFOPEN_BINDIR}" bindir)
halfopen_full_dir("${HALFOPEN_DOCDIR}" docdir)
if(IS_ABSOLUTE "${HALFOPEN_SYSCONFDIR}")
  set(sysconfdir "${HALFOPEN_SYSCONFDIR}")
elseif(prefix STREQUAL "/usr" OR prefix STREQUAL "")
  set(sysconfdir "/etc")
else()
  set(sysconfdir "${prefix}/${HALFOPEN_SYSCONFDIR}")
endif()
if(HALFOPEN_UNIT_DIR)
  set(unitdir "${HALFOPEN_UNIT_DIR}")
elseif(prefix STREQUAL "/usr" AND HALFOPEN_UNIT_DIR_USR)
  set(unitdir "${HALFOPEN_UNIT_DIR_USR}")
else()
  set(unitdir "${prefix}/lib/systemd/system")
endif()

set(HALFOPEN_UNIT_DOCUMENTATION "file:${docdir}/README.md")
if(HALFOPEN_MAN_PAGE)
  set(HALFOPEN_UNIT_DOCUMENTATION
      "man:halfopen_exporter(1) ${HALFOPEN_UNIT_DOCUMENTATION}")
endif()
set(HALFOPEN_UNIT_BINDIR "${bindir}")
set(HALFOPEN_UNIT_SYSCONFDIR "${sysconfdir}")
configure_file("${HALFOPEN_UNIT_TEMPLATE}"
  "${HALFOPEN_WORK_DIR}/halfopen_exporter.service" @ONLY)
file(INSTALL "${HALFOPEN_WORK_DIR}/halfopen_exporter.service"
  DESTINATION "${unitdir}" FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# The administrator's flags survive a reinstall; dpkg keeps them as a conffile.
set(default_file "${sysconfdir}/default/halfopen_exporter")
if(EXISTS "$ENV{DESTDIR}${default_file}")
  message(STATUS "Keeping: $ENV{DESTDIR}${default_file}")
else()
  file(INSTALL "${HALFOPEN_DEFAULT_FILE}" DESTINATION "${sysconfdir}/default"
    RENAME halfopen_exporter
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endif()
