# The Debian package, built by CPack from the install rules (install.cmake):
#   make package   (or cpack -G DEB in the build folder) -> vmemu_VERSION_ARCH.deb
# Its Depends are dpkg-shlibdeps' reading of the shared libraries the binary
# links (libelf, libdw, libc), and Capstone's package, which it cannot see:
# vmemu dlopens libcapstone on first use (cmake/capstone.cmake), so the
# package owning that SONAME's file is named here, at the version of the
# headers vmemu was built with or newer. Unicorn, linked statically by
# default (cmake/unicorn.cmake), is part of the binary: no dependency, but a
# Built-Using field naming its source package at the exact version
# (cmake/deb_built_using.cmake). Linked shared (VMEMU_UNICORN_STATIC=OFF),
# it is a dependency with its floor added: a library's shlibs file states
# the oldest version with its symbols, while vmemu needs 2.1's TLB-fill
# hook, which is no symbol. On Debian 12 that package is Debian 13's
# libunicorn2t64 (see .ci/deps.sh), which provides libunicorn2 at its own
# version. `make package_source` makes the
# release tarball, whose --version is the release's (cmake/version.cmake).
# cpack and `cmake --install` take the build as it is: without this, cpack
# first builds the tree again, and tests/integration/deb_package.sh would
# relink vmemu under the tests running beside it whenever the sources moved
# since the build. `make install` and `make package` build first themselves.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)
set(CPACK_PACKAGE_NAME vmemu)
set(CPACK_PACKAGE_VENDOR "the vmemu developers")
set(CPACK_PACKAGE_CONTACT "vmemu developers <dev@vmemu.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "run Linux x86-64 programs over a model of Linux's memory manager")
set(CPACK_PACKAGE_DESCRIPTION
"vmemu runs real x86-64 Linux ELF programs, static or dynamically linked, on
the Unicorn CPU emulator while its own C code plays the Linux kernel: a
buddy allocator with zones, 4-level page tables the emulated CPU walks,
VMAs, demand paging with zero-page, copy-on-write and file faults, a page
cache and writeback, processes, threads and signals.

Every fault is counted as Linux counts it and every fault, mapping change,
system call and page-cache event can be traced; runs are deterministic, so
expected traces pin a program's memory behaviour down. An HTML report
shows the address space, faults and an access heatmap over time.")
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(deb_depends "")
if(VMEMU_CAPSTONE_DEB)
  list(APPEND deb_depends "${VMEMU_CAPSTONE_DEB} (>= ${VMEMU_CAPSTONE_MIN})")
endif()
if(VMEMU_UNICORN_STATIC)
  set(CPACK_VMEMU_DEB_BUILT_USING "${VMEMU_UNICORN_SOURCE}")
  set(CPACK_POST_BUILD_SCRIPTS ${CMAKE_SOURCE_DIR}/cmake/deb_built_using.cmake)
else()
  list(APPEND deb_depends "libunicorn2 (>= ${VMEMU_UNICORN_MIN})")
endif()
# CPack adds dpkg-shlibdeps' findings to these.
list(JOIN deb_depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_SOURCE_GENERATOR TXZ)
set(CPACK_SOURCE_PACKAGE_FILE_NAME vmemu-${PROJECT_VERSION})
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git" "/build[^/]*/" "~$")

set(CPACK_GENERATOR DEB)
include(CPack)
