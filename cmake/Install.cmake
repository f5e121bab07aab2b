# Installation and export: `cmake --install <build> --prefix <dir>` puts the public
# headers (protocol/, agent/, transport/, expressway/) under include/smartlicensing,
# the static libraries, a CMake package (find_package(SmartLicensing) ->
# SmartLicensing::agent, ::transport, ::expressway, ::protocol) and a pkg-config file
# (smartlicensing.pc). The slagent and mock-cssm binaries and the systemd unit are
# installed by their own folders.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SL_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/SmartLicensing)
set(SL_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/smartlicensing)

set_target_properties(sl_protocol PROPERTIES EXPORT_NAME protocol)
set_target_properties(sl_agent PROPERTIES EXPORT_NAME agent)
set_target_properties(sl_transport PROPERTIES EXPORT_NAME transport)
set_target_properties(sl_expressway PROPERTIES EXPORT_NAME expressway)
# Our static libraries name sl_warnings as a private (link-only, empty) dependency,
# so the export set has to carry it too; it adds nothing to a consumer's build.
set_target_properties(sl_warnings PROPERTIES EXPORT_NAME internal_warnings)

install(TARGETS sl_protocol sl_agent sl_transport sl_expressway sl_warnings
  EXPORT SmartLicensingTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${SL_INSTALL_INCLUDEDIR})

install(DIRECTORY ${PROJECT_SOURCE_DIR}/protocol/ DESTINATION ${SL_INSTALL_INCLUDEDIR}/protocol
  FILES_MATCHING PATTERN "*.h")
foreach(dir agent transport expressway)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${SL_INSTALL_INCLUDEDIR}/${dir}
    FILES_MATCHING PATTERN "*.h")
endforeach()

install(EXPORT SmartLicensingTargets
  NAMESPACE SmartLicensing::
  DESTINATION ${SL_INSTALL_CMAKEDIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/SmartLicensingConfig.cmake.in
  ${PROJECT_BINARY_DIR}/SmartLicensingConfig.cmake
  INSTALL_DESTINATION ${SL_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/SmartLicensingConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/SmartLicensingConfig.cmake
              ${PROJECT_BINARY_DIR}/SmartLicensingConfigVersion.cmake
  DESTINATION ${SL_INSTALL_CMAKEDIR})

# Relocatable: the prefix is found from the .pc file's own place, so
# `cmake --install --prefix` anywhere yields a working file.
file(RELATIVE_PATH SL_PC_TO_PREFIX "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
configure_file(${PROJECT_SOURCE_DIR}/cmake/smartlicensing.pc.in
  ${PROJECT_BINARY_DIR}/smartlicensing.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/smartlicensing.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
