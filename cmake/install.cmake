# How vmemu is installed: `cmake --install BUILD [--prefix DIR]` (or
# `make install` in BUILD), in the GNU layout. Nothing is read from the
# source or build tree at run time: the vDSO image and the HTML report's
# assets are compiled into the binary (tests/integration/install.sh runs an
# installed vmemu with both trees hidden).
#   bin/vmemu
#   share/man/man1/vmemu.1.gz                       compressed as Debian does (gzip -9n)
#   share/doc/vmemu/README.md, docs/, copyright     README's links into docs/ still work
#   share/doc/vmemu/examples/                       samples/*.c, their *.h and a Makefile for them
#   share/bash-completion/completions/vmemu         loaded by bash-completion on demand
include(GNUInstallDirs)

install(TARGETS vmemu RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT vmemu)

set(MAN_GZ ${CMAKE_BINARY_DIR}/vmemu.1.gz)
add_custom_command(OUTPUT ${MAN_GZ}
  COMMAND sh -c "gzip -9n <'${CMAKE_SOURCE_DIR}/docs/vmemu.1' >'${MAN_GZ}'"
  DEPENDS ${CMAKE_SOURCE_DIR}/docs/vmemu.1 COMMENT "Compressing the man page" VERBATIM)
add_custom_target(man_page ALL DEPENDS ${MAN_GZ})
install(FILES ${MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT man)

install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/packaging/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT doc)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs COMPONENT doc)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/samples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        COMPONENT doc FILES_MATCHING PATTERN "*.c" PATTERN "*.h")
install(FILES ${CMAKE_SOURCE_DIR}/packaging/examples.mk DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        RENAME Makefile COMPONENT doc)

install(FILES ${CMAKE_SOURCE_DIR}/packaging/vmemu.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME vmemu
        COMPONENT completion)
