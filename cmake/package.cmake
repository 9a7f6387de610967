# The Debian package: cmake --build <dir> --target package. Configure with
# -DCMAKE_BUILD_TYPE=Release; the binaries are stripped either way. The
# package is named halfopen-exporter (Debian names allow no underscore); the
# binary, unit and /etc/default file keep halfopen_exporter.
set(HALFOPEN_PACKAGE_MAINTAINER "halfopen_exporter developers" CACHE STRING
  "The Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME halfopen-exporter)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION "Makes two kinds of silent TCP trouble visible to Prometheus:
listeners whose accept queue overflows, and connections whose peer has
probably vanished (half-open). Ships a systemd unit that is neither enabled
nor started on install, alerting and recording rules, and Grafana
dashboards.")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${HALFOPEN_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)

# The install runs with DESTDIR and the real prefix, so that the unit written
# at install time names /usr/bin (cmake/install_service.cmake).
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)

# Runtime dependencies computed from the binaries' shared libraries.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)

# /etc/default/halfopen_exporter is a conffile: an upgrade keeps the
# administrator's ARGS. The maintainer scripts start and enable nothing.
set(halfopen_debian ${PROJECT_SOURCE_DIR}/packaging/debian)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${halfopen_debian}/conffiles
  ${halfopen_debian}/postinst
  ${halfopen_debian}/prerm
  ${halfopen_debian}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

include(CPack)
