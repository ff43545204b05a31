# Unicorn, as pkg-config finds it, and how vmemu links it: the interface
# target vmemu_unicorn, which vmemu and the unit tests that read Unicorn link.
#
# VMEMU_UNICORN_STATIC (ON by default) links Debian's libunicorn.a, from
# pkg-config's libdir, with the libraries its own objects need
# (Libs.private). The shared libunicorn.so.2 is built BIND_NOW and holds
# about 82,000 relocations: ld.so's work on them was half of a static
# hello's start-up under vmemu (docs/performance.md, "Start-up and
# teardown"). OFF links libunicorn.so as before.
#
# Sets VMEMU_UNICORN_MIN, the floor the .deb states too (cmake/package.cmake);
# for a static link, VMEMU_UNICORN_DEB ("libunicorn-dev 2.1.1-2+b2", the
# Debian package that installed the archive; empty if none did) and
# VMEMU_UNICORN_SOURCE ("unicorn-engine (= 2.1.1-2)", its source package, for
# the .deb's Built-Using); and generated/unicorn_link.h for --version.
set(VMEMU_UNICORN_MIN 2.1)
pkg_check_modules(UNICORN unicorn)
if(NOT UNICORN_FOUND OR UNICORN_VERSION VERSION_LESS VMEMU_UNICORN_MIN)
  message(FATAL_ERROR
    "vmemu needs Unicorn ${VMEMU_UNICORN_MIN} or newer (found: '${UNICORN_VERSION}'). Debian 12 ships 2.0.1, "
    "which lacks the TLB-fill hook vmemu's MMU is built on. Run .ci/deps.sh (or 'make deps'): "
    "it installs libunicorn-dev 2.1.1 from Debian 13 through a pinned apt source.")
endif()
option(VMEMU_UNICORN_STATIC "Link Unicorn's static library (libunicorn.a) rather than libunicorn.so" ON)

add_library(vmemu_unicorn INTERFACE)
target_include_directories(vmemu_unicorn INTERFACE ${UNICORN_INCLUDE_DIRS})

set(VMEMU_UNICORN_DEB "")
set(VMEMU_UNICORN_SOURCE "")
if(VMEMU_UNICORN_STATIC)
  set(UNICORN_ARCHIVE ${UNICORN_LIBDIR}/libunicorn.a)
  if(NOT EXISTS ${UNICORN_ARCHIVE})
    message(FATAL_ERROR "VMEMU_UNICORN_STATIC: no ${UNICORN_ARCHIVE} (pkg-config's libdir for unicorn). "
                        "Install libunicorn-dev (.ci/deps.sh), or configure with -DVMEMU_UNICORN_STATIC=OFF.")
  endif()
  set(UNICORN_PRIVATE_LIBS ${UNICORN_STATIC_LIBRARIES})
  list(REMOVE_ITEM UNICORN_PRIVATE_LIBS unicorn)
  target_link_libraries(vmemu_unicorn INTERFACE ${UNICORN_ARCHIVE} ${UNICORN_PRIVATE_LIBS})
  # emu/tcg_exit_checks.c refers to check_exit_request_x86_64 weakly, and a
  # weak reference takes no member out of an archive: this makes the link
  # take it (vmemu's CPU pulls tcg-op.c's in anyway; the unit test would not).
  target_link_options(vmemu_unicorn INTERFACE LINKER:--undefined=check_exit_request_x86_64)
  # The archive's package, read again whenever the archive changes (an upgrade).
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${UNICORN_ARCHIVE})
  execute_process(COMMAND dpkg-query -S ${UNICORN_ARCHIVE}
                  OUTPUT_VARIABLE owner ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  string(REGEX REPLACE ":.*" "" owner "${owner}")
  if(owner)
    execute_process(COMMAND dpkg-query -W "-f=\${Package} \${Version}\n\${source:Package} (= \${source:Version})"
                            ${owner}
                    OUTPUT_VARIABLE fields ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    string(REPLACE "\n" ";" fields "${fields}")
    list(LENGTH fields n)
    if(n EQUAL 2)
      list(GET fields 0 VMEMU_UNICORN_DEB)
      list(GET fields 1 VMEMU_UNICORN_SOURCE)
    endif()
  endif()
  if(VMEMU_UNICORN_DEB)
    set(UNICORN_LINK_FROM "${VMEMU_UNICORN_DEB}")
  else()
    set(UNICORN_LINK_FROM "${UNICORN_ARCHIVE}")
  endif()
  set(UNICORN_LINK_H "#define VMEMU_UNICORN_STATIC_FROM \"${UNICORN_LINK_FROM}\"\n")
  message(STATUS "Unicorn ${UNICORN_VERSION}: linked statically from ${UNICORN_LINK_FROM}")
else()
  target_link_directories(vmemu_unicorn INTERFACE ${UNICORN_LIBRARY_DIRS})
  # Needed even where only a weak reference would ask for it (the
  # unit test): the compiler here links --as-needed by default.
  target_link_libraries(vmemu_unicorn INTERFACE -Wl,--push-state,--no-as-needed ${UNICORN_LIBRARIES}
                        -Wl,--pop-state)
  set(UNICORN_LINK_H "/* Unicorn is linked as a shared library. */\n")
  message(STATUS "Unicorn ${UNICORN_VERSION}: linked as a shared library")
endif()
file(WRITE ${CMAKE_BINARY_DIR}/generated/unicorn_link.h.tmp "${UNICORN_LINK_H}")
configure_file(${CMAKE_BINARY_DIR}/generated/unicorn_link.h.tmp
               ${CMAKE_BINARY_DIR}/generated/unicorn_link.h COPYONLY)
