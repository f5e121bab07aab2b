# Installation and export: `cmake --install <build> --prefix <dir>` installs the public
# headers (include/smartlicensing/, nothing else), the static libraries, a CMake
# package (find_package(SmartLicensing) -> SmartLicensing::agent, ::transport,
# ::expressway, ::mock_cssm) and a pkg-config file (smartlicensing.pc). The slagent
# and mock-cssm binaries and the systemd unit are installed by their own folders.
include(CMakePackageConfigHelpers)

set(SL_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/SmartLicensing)

set(SL_INSTALLED_LIBRARIES sl_base sl_protocol sl_seam sl_agent sl_transport sl_expressway sl_mock_cssm)
foreach(lib ${SL_INSTALLED_LIBRARIES})
  string(REGEX REPLACE "^sl_" "" export_name ${lib})
  set_target_properties(${lib} PROPERTIES EXPORT_NAME ${export_name})
endforeach()

install(TARGETS ${SL_INSTALLED_LIBRARIES}
  EXPORT SmartLicensingTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/smartlicensing DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

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

# The .pc file names the prefix it is installed under, which is only known at install
# time (`cmake --install --prefix` may change it), so it is written then.
install(CODE "
  set(SL_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  set(CMAKE_INSTALL_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
  set(CMAKE_INSTALL_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
  set(PROJECT_VERSION \"${PROJECT_VERSION}\")
  configure_file(\"${PROJECT_SOURCE_DIR}/cmake/smartlicensing.pc.in\"
                 \"${PROJECT_BINARY_DIR}/install-time/smartlicensing.pc\" @ONLY)
")
install(FILES ${PROJECT_BINARY_DIR}/install-time/smartlicensing.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
