# Installation and export. `cmake --install <build> --prefix <dir>` installs, under the
# GNUInstallDirs destinations:
#   <includedir>/smartlicensing/        the public headers (include/smartlicensing/, nothing else)
#   <libdir>/libsl_*.a                  the static libraries
#   <libdir>/cmake/SmartLicensing/      the CMake package: find_package(SmartLicensing)
#                                       -> SmartLicensing::agent, ::transport, ::expressway
#                                       (and ::base, ::protocol, ::seam they link), and the
#                                       component mock_cssm -> SmartLicensing::mock_cssm
#   <libdir>/pkgconfig/                 smartlicensing.pc, smartlicensing-mock-cssm.pc
#   <datarootdir>/doc/libsmartlicensing-dev/  copyright (LICENSE), README.md, architecture.md
# all of it the install component libsmartlicensing-dev (the Debian package of that
# name, cmake/Packaging.cmake). The slagent and mock-cssm binaries, the systemd unit,
# man pages and completion are installed by their own folders and packaging/.
# scripts/check-install.sh, scripts/check-package.sh and tests/install/ check the result.
#
# What reaches a consumer is only what the installed headers and libraries need:
# OpenSSL's libcrypto and libcurl for the agent and its transport; libssl, cpp-httplib
# and threads for the mock. The warnings target (sl_warnings) is linked as
# $<BUILD_INTERFACE:...> and never exported; RapidJSON is a BUILD_INTERFACE include
# directory of sl_base, used by .cc files only.
include(CMakePackageConfigHelpers)
include(${CMAKE_CURRENT_LIST_DIR}/InstallConfigured.cmake)

set(SL_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/SmartLicensing)
set(SL_DEV_COMPONENT libsmartlicensing-dev)

# The mock has an export set of its own so that a consumer of the agent alone needs
# neither cpp-httplib nor libssl: the package loads it only when they are found.
set(SL_INSTALLED_LIBRARIES sl_base sl_protocol sl_seam sl_agent sl_transport sl_expressway)
set(SL_INSTALLED_MOCK_LIBRARIES sl_mock_cssm)
foreach(lib ${SL_INSTALLED_LIBRARIES} ${SL_INSTALLED_MOCK_LIBRARIES})
  string(REGEX REPLACE "^sl_" "" export_name ${lib})
  set_target_properties(${lib} PROPERTIES EXPORT_NAME ${export_name})
  # Consumers need C++17 or later; a compile feature states the minimum and leaves a
  # C++20 consumer at C++20 (no -std is forced on anyone).
  target_compile_features(${lib} PUBLIC cxx_std_17)
endforeach()

install(TARGETS ${SL_INSTALLED_LIBRARIES}
  EXPORT SmartLicensingTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT ${SL_DEV_COMPONENT}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT ${SL_DEV_COMPONENT})
install(TARGETS ${SL_INSTALLED_MOCK_LIBRARIES}
  EXPORT SmartLicensingMockTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT ${SL_DEV_COMPONENT}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT ${SL_DEV_COMPONENT})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/smartlicensing
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  COMPONENT ${SL_DEV_COMPONENT}
  FILES_MATCHING PATTERN "*.h")

install(EXPORT SmartLicensingTargets
  NAMESPACE SmartLicensing::
  DESTINATION ${SL_INSTALL_CMAKEDIR}
  COMPONENT ${SL_DEV_COMPONENT})
install(EXPORT SmartLicensingMockTargets
  NAMESPACE SmartLicensing::
  DESTINATION ${SL_INSTALL_CMAKEDIR}
  COMPONENT ${SL_DEV_COMPONENT})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/SmartLicensingConfig.cmake.in
  ${PROJECT_BINARY_DIR}/SmartLicensingConfig.cmake
  INSTALL_DESTINATION ${SL_INSTALL_CMAKEDIR}
  NO_SET_AND_CHECK_MACRO)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/SmartLicensingConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/SmartLicensingConfig.cmake
              ${PROJECT_BINARY_DIR}/SmartLicensingConfigVersion.cmake
  DESTINATION ${SL_INSTALL_CMAKEDIR}
  COMPONENT ${SL_DEV_COMPONENT})
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE
  DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${SL_DEV_COMPONENT}
  COMPONENT ${SL_DEV_COMPONENT}
  RENAME copyright)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/architecture.md
  DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${SL_DEV_COMPONENT}
  COMPONENT ${SL_DEV_COMPONENT})

# The .pc files name the prefix they are installed under, which is only known at
# install time (`cmake --install --prefix` changes it), so they are written then
# (cmake/InstallConfigured.cmake, which the systemd unit uses too).
foreach(pc smartlicensing smartlicensing-mock-cssm)
  sl_install_configured(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
    COMPONENT ${SL_DEV_COMPONENT})
endforeach()
