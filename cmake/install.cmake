# What `cmake --install` puts where (README, "Install"). The systemd unit and
# /etc/default/halfopen_exporter are written at install time by
# install_service.cmake, so that their paths follow the prefix given then
# (`cmake --install <dir> --prefix …`, or CPack's /usr), not the one
# configured.
include(GNUInstallDirs)

install(TARGETS halfopen_exporter halfopen_diag_dump
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The flags, as `--help` prints them, and a man page made from them when
# help2man is installed.
set(halfopen_doc_dir ${PROJECT_BINARY_DIR}/doc)
set(halfopen_docs ${halfopen_doc_dir}/flags.txt)
add_custom_command(
  OUTPUT ${halfopen_doc_dir}/flags.txt
  COMMAND ${CMAKE_COMMAND} -E make_directory ${halfopen_doc_dir}
  COMMAND $<TARGET_FILE:halfopen_exporter> --help > ${halfopen_doc_dir}/flags.txt
  DEPENDS halfopen_exporter
  COMMENT "Writing halfopen_exporter --help to doc/flags.txt")
find_program(HALFOPEN_HELP2MAN help2man)
if(HALFOPEN_HELP2MAN)
  set(halfopen_man_page ON)
  list(APPEND halfopen_docs ${halfopen_doc_dir}/halfopen_exporter.1)
  add_custom_command(
    OUTPUT ${halfopen_doc_dir}/halfopen_exporter.1
    COMMAND ${HALFOPEN_HELP2MAN} --no-info --section=1
            --name=${PROJECT_DESCRIPTION}
            --version-string=${PROJECT_VERSION}
            --include=${PROJECT_SOURCE_DIR}/packaging/halfopen_exporter.h2m
            --output=${halfopen_doc_dir}/halfopen_exporter.1
            $<TARGET_FILE:halfopen_exporter>
    DEPENDS halfopen_exporter ${PROJECT_SOURCE_DIR}/packaging/halfopen_exporter.h2m
    COMMENT "Writing the man page with help2man"
    VERBATIM)
  install(FILES ${halfopen_doc_dir}/halfopen_exporter.1
    DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  set(halfopen_man_page OFF)
  message(STATUS "help2man not found: no man page (the flags are installed as "
                 "${CMAKE_INSTALL_DOCDIR}/flags.txt)")
endif()
add_custom_target(halfopen_docs ALL DEPENDS ${halfopen_docs})
install(FILES ${halfopen_doc_dir}/flags.txt ${PROJECT_SOURCE_DIR}/README.md
  ${PROJECT_SOURCE_DIR}/CHANGELOG.md ${PROJECT_SOURCE_DIR}/docs/runbook.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Rules and dashboards, for the user to copy into Prometheus and Grafana.
set(halfopen_data_dir ${CMAKE_INSTALL_DATADIR}/halfopen_exporter)
install(FILES
  ${PROJECT_SOURCE_DIR}/deploy/prometheus/halfopen-rules.yml
  ${PROJECT_SOURCE_DIR}/deploy/prometheus/scrape-config.yml
  DESTINATION ${halfopen_data_dir}/prometheus)
install(FILES
  ${PROJECT_SOURCE_DIR}/dashboards/halfopen-overview.json
  ${PROJECT_SOURCE_DIR}/dashboards/halfopen-detail.json
  DESTINATION ${halfopen_data_dir}/dashboards)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/dashboards/provisioning
  DESTINATION ${halfopen_data_dir}/dashboards)
# The drop-in for --netns.scope=all, for the administrator to copy into
# /etc/systemd/system/halfopen_exporter.service.d/ (README).
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/netns-all.conf
  DESTINATION ${halfopen_data_dir}/systemd)

# The systemd unit directory: systemd's own (pkg-config) for a /usr install,
# otherwise lib/systemd/system under the prefix, which systemd also reads for
# /usr/local. HALFOPEN_SYSTEMD_UNIT_DIR overrides both.
set(HALFOPEN_SYSTEMD_UNIT_DIR "" CACHE PATH
  "Absolute directory for the systemd unit (default: see cmake/install.cmake)")
set(halfopen_systemd_unit_dir_usr "")
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_get_variable(halfopen_systemd_unit_dir_usr systemd systemdsystemunitdir)
endif()
install(CODE "
  set(HALFOPEN_UNIT_TEMPLATE \"${PROJECT_SOURCE_DIR}/deploy/systemd/halfopen_exporter.service.in\")
  set(HALFOPEN_DEFAULT_FILE \"${PROJECT_SOURCE_DIR}/deploy/systemd/halfopen_exporter.default\")
  set(HALFOPEN_WORK_DIR \"${PROJECT_BINARY_DIR}/install-service\")
  set(HALFOPEN_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
  set(HALFOPEN_SYSCONFDIR \"${CMAKE_INSTALL_SYSCONFDIR}\")
  set(HALFOPEN_DOCDIR \"${CMAKE_INSTALL_DOCDIR}\")
  set(HALFOPEN_MAN_PAGE ${halfopen_man_page})
  set(HALFOPEN_UNIT_DIR \"${HALFOPEN_SYSTEMD_UNIT_DIR}\")
  set(HALFOPEN_UNIT_DIR_USR \"${halfopen_systemd_unit_dir_usr}\")
")
install(SCRIPT ${PROJECT_SOURCE_DIR}/cmake/install_service.cmake)
