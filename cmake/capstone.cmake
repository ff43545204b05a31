# Capstone, as pkg-config finds it, and how vmemu reaches it: the interface
# target vmemu_capstone gives its headers and VMEMU_CAPSTONE_SONAME, the
# library's SONAME, which emu/disasm_lib.c dlopens the first time an
# instruction is decoded. vmemu is not linked with the library: ld.so
# would load it, and apply its 77,000 relocations, at every start
# (docs/performance.md, "Start-up and teardown").
#
# The SONAME is read (objdump -p) from the development library pkg-config
# points at, the one the headers belong to, so the library loaded has
# their ABI. Sets VMEMU_CAPSTONE_SONAME ("libcapstone.so.4"),
# VMEMU_CAPSTONE_MIN (the headers' version, "4.0.2") and VMEMU_CAPSTONE_DEB
# ("libcapstone4", the Debian package that installed the file the SONAME
# names; empty if none did): dpkg-shlibdeps cannot see a dlopen'ed
# library, so cmake/package.cmake states the dependency itself.
pkg_check_modules(CAPSTONE REQUIRED capstone)
find_library(VMEMU_CAPSTONE_LIBRARY NAMES ${CAPSTONE_LIBRARIES} HINTS ${CAPSTONE_LIBRARY_DIRS} ${CAPSTONE_LIBDIR})
if(NOT VMEMU_CAPSTONE_LIBRARY OR NOT VMEMU_CAPSTONE_LIBRARY MATCHES "[.]so$")
  message(FATAL_ERROR "Capstone: no shared library for pkg-config's '${CAPSTONE_LIBRARIES}' "
                      "(found '${VMEMU_CAPSTONE_LIBRARY}'). Install libcapstone-dev (.ci/deps.sh).")
endif()
find_program(VMEMU_OBJDUMP objdump REQUIRED)
execute_process(COMMAND ${VMEMU_OBJDUMP} -p ${VMEMU_CAPSTONE_LIBRARY}
                OUTPUT_VARIABLE dynamic ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT dynamic MATCHES "\n *SONAME +([^ \n]+)")
  message(FATAL_ERROR "Capstone: objdump -p finds no SONAME in ${VMEMU_CAPSTONE_LIBRARY}")
endif()
set(VMEMU_CAPSTONE_SONAME ${CMAKE_MATCH_1})
set(VMEMU_CAPSTONE_MIN ${CAPSTONE_VERSION})
# Read again whenever the library changes (an upgrade may bring a new SONAME).
get_filename_component(capstone_real ${VMEMU_CAPSTONE_LIBRARY} REALPATH)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${capstone_real})

# The package owning the runtime file, under either name merged /usr gives it.
get_filename_component(capstone_dir ${VMEMU_CAPSTONE_LIBRARY} DIRECTORY)
get_filename_component(capstone_runtime ${capstone_dir}/${VMEMU_CAPSTONE_SONAME} REALPATH)
set(VMEMU_CAPSTONE_DEB "")
foreach(path ${capstone_dir}/${VMEMU_CAPSTONE_SONAME} ${capstone_runtime})
  execute_process(COMMAND dpkg-query -S ${path} OUTPUT_VARIABLE owner ERROR_QUIET
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  string(REGEX REPLACE "[:,].*" "" owner "${owner}")
  if(owner)
    set(VMEMU_CAPSTONE_DEB ${owner})
    break()
  endif()
endforeach()

add_library(vmemu_capstone INTERFACE)
target_include_directories(vmemu_capstone INTERFACE ${CAPSTONE_INCLUDE_DIRS})
target_compile_definitions(vmemu_capstone INTERFACE VMEMU_CAPSTONE_SONAME="${VMEMU_CAPSTONE_SONAME}")
target_link_libraries(vmemu_capstone INTERFACE ${CMAKE_DL_LIBS})
if(VMEMU_CAPSTONE_DEB)
  message(STATUS "Capstone ${CAPSTONE_VERSION}: ${VMEMU_CAPSTONE_SONAME} (${VMEMU_CAPSTONE_DEB}), loaded on first use")
else()
  message(STATUS "Capstone ${CAPSTONE_VERSION}: ${VMEMU_CAPSTONE_SONAME} (no Debian package), loaded on first use")
endif()
