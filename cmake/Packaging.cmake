# Debian packages with CPack: `cpack -G DEB` in the build tree (after the build) makes
#   slagent                 the tool and daemon, its systemd unit, tmpfiles.d and
#                           sysusers.d files, man page, bash completion and docs
#                           (install component slagent: cli/CMakeLists.txt)
#   libsmartlicensing-dev   headers, static libraries, CMake package, pkg-config files
#                           (component libsmartlicensing-dev: cmake/Install.cmake)
#   mock-cssm               the mock CSSM, its man page and docs
#                           (component mock-cssm: mock_cssm/CMakeLists.txt)
# under /usr, so that the unit lands in /usr/lib/systemd/system. Nothing else is
# packaged: an install rule without one of these components would make a fourth
# package, which scripts/check-package.sh refuses. Included last by CMakeLists.txt, after
# every install rule. The tests of the installed files are here too, as they need
# enable_testing() (called after the folders that install them).
set(SL_PACKAGE_COMPONENTS slagent libsmartlicensing-dev mock-cssm)
# A description's first line is the package's summary, the rest its long description.

set(SL_PACKAGE_MAINTAINER "Smart Licensing maintainers <smart-licensing@example.com>"
  CACHE STRING "The Maintainer field of the Debian packages")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME smartlicensing)
set(CPACK_PACKAGE_VENDOR "Smart Licensing project")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
# The .pc files and the unit are written at install time from the install prefix
# (cmake/InstallConfigured.cmake): with DESTDIR, CPack installs for the real prefix
# (/usr) into its staging directory, instead of making the staging directory the
# prefix, which would then be named in ExecStart=.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_COMPONENTS_ALL ${SL_PACKAGE_COMPONENTS})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)            # <name>_<version>-<release>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SL_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Run-time dependencies of the binaries from dpkg-shlibdeps (Debian package dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS OFF)

# slagent. Its maintainer scripts create the user and directories (systemd-sysusers,
# systemd-tmpfiles), reload systemd and, on purge, remove /var/lib/slagent and
# /etc/slagent; they never enable or start the service (docs/install.md).
set(CPACK_DEBIAN_SLAGENT_PACKAGE_NAME slagent)
set(CPACK_DEBIAN_SLAGENT_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_SLAGENT_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_SLAGENT_PACKAGE_SUGGESTS "mock-cssm")
set(CPACK_DEBIAN_SLAGENT_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
  ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
  ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_SLAGENT_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_COMPONENT_SLAGENT_DESCRIPTION "Smart Licensing agent: operator commands and renewal daemon
slagent registers a device with Cisco Smart Software Manager (CSSM) or an On-Prem
server, renews its authorization and registration, reports usage and shows the
licensing status. The renewal daemon runs as slagent.service, as the system user
slagent; the package does not enable or start it.")

# libsmartlicensing-dev. Static libraries: nothing for dpkg-shlibdeps; what a consumer
# needs to link them is listed (the CMake package and the .pc files require it).
set(CPACK_DEBIAN_LIBSMARTLICENSING-DEV_PACKAGE_NAME libsmartlicensing-dev)
set(CPACK_DEBIAN_LIBSMARTLICENSING-DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_LIBSMARTLICENSING-DEV_PACKAGE_DEPENDS "libssl-dev (>= 3), libcurl4-openssl-dev | libcurl-dev")
set(CPACK_DEBIAN_LIBSMARTLICENSING-DEV_PACKAGE_RECOMMENDS "pkg-config")
# The mock's library (component mock_cssm of the CMake package) also needs cpp-httplib.
set(CPACK_DEBIAN_LIBSMARTLICENSING-DEV_PACKAGE_SUGGESTS "libcpp-httplib-dev")
set(CPACK_COMPONENT_LIBSMARTLICENSING-DEV_DESCRIPTION "Smart Licensing agent library: development files
Headers (smartlicensing/), static libraries, the CMake package
(find_package(SmartLicensing)) and pkg-config files of the Smart Licensing agent, its
libcurl transports and the Expressway consumption rules, and of the mock CSSM server
in process for tests. C++17 or later.")

# mock-cssm.
set(CPACK_DEBIAN_MOCK-CSSM_PACKAGE_NAME mock-cssm)
set(CPACK_DEBIAN_MOCK-CSSM_PACKAGE_SECTION devel)
set(CPACK_COMPONENT_MOCK-CSSM_DESCRIPTION "mock Cisco Smart Software Manager for tests
mock-cssm plays CSSM for integration tests and demonstrations of Smart Licensing
clients: real HTTPS, accounts, pools, tokens and product instances, signed licensing
responses, an admin API with fault injection and a movable clock. A test tool only.")

include(CPack)

if(SL_BUILD_TESTS)
  # The completion offers every command, subcommand and option of `slagent help`.
  add_test(NAME packaging.completion_covers_help
    COMMAND bash ${PROJECT_SOURCE_DIR}/packaging/completion_test.sh
            $<TARGET_FILE:slagent> ${PROJECT_SOURCE_DIR}/packaging/slagent.bash-completion)
  # The unit installed under a prefix names that prefix (tests/install does the same
  # for the headers; scripts/check-package.sh for /opt/sl-test and the packages).
  add_test(NAME packaging.unit_follows_prefix
    COMMAND bash ${PROJECT_SOURCE_DIR}/packaging/installed_unit_test.sh ${PROJECT_BINARY_DIR})
  set_tests_properties(packaging.unit_follows_prefix PROPERTIES
    TIMEOUT 300 ENVIRONMENT "SL_MAN_PAGES=$<BOOL:${SL_MAN_PAGES}>")
  # The installed daemon, started as its unit starts it, renews against the installed
  # mock and logs it on stderr (as an unprivileged user when run as root).
  add_test(NAME packaging.installed_daemon
    COMMAND bash ${PROJECT_SOURCE_DIR}/packaging/installed_daemon_test.sh ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
  set_tests_properties(packaging.installed_daemon PROPERTIES TIMEOUT 300)
  if(SL_MAN_PAGES)
    set_tests_properties(packaging.unit_follows_prefix PROPERTIES REQUIRED_FILES
      "$<TARGET_FILE:slagent>;$<TARGET_FILE:mock-cssm>;${PROJECT_BINARY_DIR}/cli/slagent.1.gz;${PROJECT_BINARY_DIR}/mock_cssm/mock-cssm.1.gz")
    # Each entry of --help stays an entry of the man page help2man makes from it.
    foreach(program slagent mock-cssm)
      string(MAKE_C_IDENTIFIER ${program} id)
      get_target_property(dir ${program} BINARY_DIR)
      add_test(NAME packaging.man_page_${id}
        COMMAND bash ${PROJECT_SOURCE_DIR}/packaging/man_page_test.sh
                $<TARGET_FILE:${program}> ${dir}/${program}.1)
    endforeach()
  endif()
endif()
