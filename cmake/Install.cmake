# Installation and export. `cmake --install <build> --prefix <dir>` installs, under the
# GNUInstallDirs destinations:
#   <includedir>/smartlicensing/        the public headers (include/smartlicensing/, nothing else)
#   <libdir>/libsl_*.a                  the static libraries
#   <libdir>/cmake/SmartLicensing/      the CMake package: find_package(SmartLicensing)
#                                       -> SmartLicensing::agent, ::transport, ::expressway
#                                       (and ::base, ::protocol, ::seam they link), and the
#                                       component mock_cssm -> SmartLicensing::mock_cssm
#   <libdir>/pkgconfig/                 smartlicensing.pc, smartlicensing-mock-cssm.pc
# The slagent and mock-cssm binaries and the systemd unit are installed by their own
# folders. scripts/check-install.sh and tests/install/ check the result.
#
# What reaches a consumer is only what the installed headers and libraries need:
# OpenSSL's libcrypto and libcurl for the agent and its transport; libssl, cpp-httplib
# and threads for the mock. The warnings target (sl_warnings) is linked as
# $<BUILD_INTERFACE:...> and never exported; RapidJSON is a BUILD_INTERFACE include
# directory of sl_base, used by .cc files only.
include(CMakePackageConfigHelpers)

set(SL_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/SmartLicensing)

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
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS ${SL_INSTALLED_MOCK_LIBRARIES}
  EXPORT SmartLicensingMockTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/smartlicensing
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")

install(EXPORT SmartLicensingTargets
  NAMESPACE SmartLicensing::
  DESTINATION ${SL_INSTALL_CMAKEDIR})
install(EXPORT SmartLicensingMockTargets
  NAMESPACE SmartLicensing::
  DESTINATION ${SL_INSTALL_CMAKEDIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/SmartLicensingConfig.cmake.in
  ${PROJECT_BINARY_DIR}/SmartLicensingConfig.cmake
  INSTALL_DESTINATION ${SL_INSTALL_CMAKEDIR}
  NO_SET_AND_CHECK_MACRO)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/SmartLicensingConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/SmartLicensingConfig.cmake
              ${PROJECT_BINARY_DIR}/SmartLicensingConfigVersion.cmake
  DESTINATION ${SL_INSTALL_CMAKEDIR})

# The .pc files name the prefix they are installed under, which is only known at
# install time (`cmake --install --prefix` changes it), so they are written then, by
# the script below, into a directory of the build tree of their own per prefix (two
# installs from one build tree at once do not clash), installed from there, and
# removed.
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/InstallPkgConfig.cmake @ONLY CONTENT [[
# Generated from cmake/Install.cmake: writes and installs the .pc files.
set(PROJECT_VERSION "@PROJECT_VERSION@")
set(SL_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(libdir "@CMAKE_INSTALL_LIBDIR@")
set(includedir "@CMAKE_INSTALL_INCLUDEDIR@")
# A relative GNUInstallDirs destination is written relative to ${prefix}.
foreach(dir libdir includedir)
  if(IS_ABSOLUTE "${${dir}}")
    set(SL_PC_${dir} "${${dir}}")
  else()
    set(SL_PC_${dir} "\${prefix}/${${dir}}")
  endif()
endforeach()
if(IS_ABSOLUTE "${libdir}")
  set(destination "${libdir}/pkgconfig")
else()
  set(destination "${CMAKE_INSTALL_PREFIX}/${libdir}/pkgconfig")
endif()
string(MD5 key "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
foreach(pc smartlicensing smartlicensing-mock-cssm)
  set(pc_file "@PROJECT_BINARY_DIR@/install-time/${key}/${pc}.pc")
  configure_file("@PROJECT_SOURCE_DIR@/cmake/${pc}.pc.in" "${pc_file}" @ONLY)
  file(INSTALL DESTINATION "${destination}" TYPE FILE FILES "${pc_file}")
endforeach()
file(REMOVE_RECURSE "@PROJECT_BINARY_DIR@/install-time/${key}")
]])
install(SCRIPT ${PROJECT_BINARY_DIR}/InstallPkgConfig.cmake)
