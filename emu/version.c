/*
 * vmemu --version: vmemu's own version (git describe at build time, or the
 * release: build_version.h, made by cmake/version.cmake), then the Unicorn,
 * Capstone and libelf vmemu is running with, asked of the libraries loaded
 * rather than taken from the headers it was built with (a library upgraded
 * since the build shows as such), then the version of the trace schema it
 * writes (docs/tracing.md), which expected traces depend on. A Unicorn
 * linked statically (cmake/unicorn.cmake) is part of the binary: its line
 * says so and names the Debian package the archive came from. Capstone is
 * not linked but loaded on first use (emu/disasm_lib.c): --version loads
 * it and names the file ld.so found, or says why it cannot be loaded.
 */
#include "emu/version.h"

#include <elfutils/libdwfl.h>
#include <unicorn/unicorn.h>

#include "build_version.h"
#include "unicorn_link.h"
#include "emu/disasm_lib.h"
#include "emu/trace/trace.h"

/* uc_version packs major, minor and patch in its upper three bytes. */
static void print_unicorn(FILE *out)
{
    unsigned int v = uc_version(NULL, NULL);
    unsigned int major = v >> 24 & 0xff, minor = v >> 16 & 0xff, patch = v >> 8 & 0xff;
    fprintf(out, "Unicorn %u.%u.%u", major, minor, patch);
    if (major != UC_API_MAJOR || minor != UC_API_MINOR || patch != UC_API_PATCH)
        fprintf(out, " (built with %d.%d.%d)", UC_API_MAJOR, UC_API_MINOR, UC_API_PATCH);
#ifdef VMEMU_UNICORN_STATIC_FROM
    fputs(" (linked statically from " VMEMU_UNICORN_STATIC_FROM ")", out);
#endif
    fputc('\n', out);
}

/* cs_version knows major and minor only: the patch level is the headers'. */
static void print_capstone(FILE *out)
{
    const char *why;
    const struct capstone *cs = capstone_load(&why);
    int major, minor;
    if (cs) {
        cs->version(&major, &minor);
        fprintf(out, "Capstone %d.%d (built with %d.%d.%d) (loaded on first use from %s)\n", major,
                minor, CS_API_MAJOR, CS_API_MINOR, CS_VERSION_EXTRA, cs->path);
    } else {
        fprintf(out, "Capstone cannot be loaded: %s (built with %d.%d.%d)\n", why, CS_API_MAJOR,
                CS_API_MINOR, CS_VERSION_EXTRA);
    }
}

void print_version(FILE *out)
{
    fprintf(out, "vmemu %s\n", VMEMU_VERSION);
    print_unicorn(out);
    print_capstone(out);
    /* libelf has no version call; libdw's is elfutils', whose libelf comes with it. */
    fprintf(out, "libelf %s (elfutils)\n", dwfl_version(NULL));
    fprintf(out, "trace schema %d\n", TRACE_SCHEMA_VERSION);
}
