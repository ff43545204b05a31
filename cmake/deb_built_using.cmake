# CPack post-build script (cmake/package.cmake): adds the Built-Using field
# to the .deb, which CPack's DEB generator has no variable for. Debian policy
# (7.8) asks a package that holds a statically linked library's code to name
# that library's source package there, at the exact version: with
# VMEMU_UNICORN_STATIC, Unicorn's (CPACK_VMEMU_DEB_BUILT_USING, e.g.
# "unicorn-engine (= 2.1.1-2)"). dpkg-deb unpacks the package, the field goes
# in before Depends (CPack writes the fields in alphabetical order), and
# dpkg-deb packs it again, root-owned, with CPack's compression.
if(NOT CPACK_VMEMU_DEB_BUILT_USING)
  return()
endif()
if(CPACK_DEBIAN_COMPRESSION_TYPE)
  set(compression ${CPACK_DEBIAN_COMPRESSION_TYPE})
else()
  set(compression gzip) # CPack's default
endif()
foreach(deb IN LISTS CPACK_PACKAGE_FILES)
  if(NOT deb MATCHES "[.]deb$")
    continue()
  endif()
  set(tree ${deb}.tree)
  file(REMOVE_RECURSE ${tree})
  execute_process(COMMAND dpkg-deb --raw-extract ${deb} ${tree} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Built-Using: dpkg-deb could not unpack ${deb}")
  endif()
  file(READ ${tree}/DEBIAN/control control)
  string(REGEX REPLACE "\nDepends:" "\nBuilt-Using: ${CPACK_VMEMU_DEB_BUILT_USING}\nDepends:" control "${control}")
  if(NOT control MATCHES "\nBuilt-Using: ")
    message(FATAL_ERROR "Built-Using: ${deb}'s control has no Depends field to put it before")
  endif()
  file(WRITE ${tree}/DEBIAN/control "${control}")
  execute_process(COMMAND dpkg-deb --root-owner-group -Z${compression} --build ${tree} ${deb}
                  OUTPUT_QUIET RESULT_VARIABLE rc)
  file(REMOVE_RECURSE ${tree})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Built-Using: dpkg-deb could not pack ${deb} again")
  endif()
endforeach()
