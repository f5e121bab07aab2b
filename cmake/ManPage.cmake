# sl_add_man_page(<executable target> NAME "<what it is>" INCLUDE <file.h2m>
#                 COMPONENT <install component>)
#
# Generates <program>.1 (and .1.gz) at build time with help2man from the built
# binary's --help, and installs <program>.1.gz under <mandir>/man1 (target
# <program>_man, with '-' as '_').
#
# Why help2man rather than scdoc: the binary's --help is already the one source of its
# commands and options (slagent's comes from its command table), so the page cannot
# drift from the tool; scdoc would need a second, hand-kept list of every command and
# option. What --help does not say (the files, the service, the environment, see also)
# is in the include file (help2man(1), INCLUDE FILES). The version is the project's
# (help2man --version-string), so the page does not depend on how a binary words its
# --version. The ctests packaging.man_page_* check that help2man kept every entry of
# --help apart (it joins an entry that has no description to the next).
#
# SL_MAN_PAGES=OFF builds without help2man (Debian package help2man) and installs no
# man page; it is the default under SL_SANITIZE.
include_guard(GLOBAL)
# Off by default under SL_SANITIZE: the pages do not depend on it, and a sanitizer's
# report at exit would fail help2man instead of a test.
if(SL_SANITIZE)
  option(SL_MAN_PAGES "Generate the man pages with help2man" OFF)
else()
  option(SL_MAN_PAGES "Generate the man pages with help2man" ON)
endif()
if(SL_MAN_PAGES)
  find_program(SL_HELP2MAN help2man)
  if(NOT SL_HELP2MAN)
    message(FATAL_ERROR "help2man not found: apt-get install help2man (scripts/install-deps.sh), "
                        "or configure with -DSL_MAN_PAGES=OFF to build without man pages")
  endif()
endif()

function(sl_add_man_page target)
  cmake_parse_arguments(A "" "NAME;INCLUDE;COMPONENT" "" ${ARGN})
  if(NOT A_NAME OR NOT A_INCLUDE OR NOT A_COMPONENT OR A_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "sl_add_man_page(${target}): NAME, INCLUDE and COMPONENT, nothing else")
  endif()
  if(NOT SL_MAN_PAGES)
    return()
  endif()
  get_target_property(program ${target} OUTPUT_NAME)
  if(NOT program)
    set(program ${target})
  endif()
  set(page ${CMAKE_CURRENT_BINARY_DIR}/${program}.1)
  # Installed compressed, as Debian policy asks (gzip -n: no name or time stamp).
  add_custom_command(OUTPUT ${page} ${page}.gz
    COMMAND ${SL_HELP2MAN} --no-info --section=1
            "--version-string=${program} ${PROJECT_VERSION}" "--name=${A_NAME}"
            "--include=${A_INCLUDE}" "--output=${page}" $<TARGET_FILE:${target}>
    COMMAND gzip -9nfk ${page}
    DEPENDS ${target} ${A_INCLUDE}
    COMMENT "Generating the man page ${program}(1) with help2man"
    VERBATIM)
  string(MAKE_C_IDENTIFIER "${program}" id)
  add_custom_target(${id}_man ALL DEPENDS ${page}.gz)
  install(FILES ${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT ${A_COMPONENT})
endfunction()
