/*
 * Capstone loaded on first use. vmemu decodes an instruction only to
 * report a fault (the death report, a fault trace's "insn" and exact
 * address: emu/cpu.c) and names Capstone's version in --version. Linked
 * at build time, libcapstone.so.4 was loaded at every start, and ld.so
 * applied its 77,000 relocations each time: an empty program linked with
 * it took 2.9 ms of CPU against 1.3 ms without (docs/performance.md,
 * "Start-up and teardown"). So vmemu is not linked with it: the build
 * reads the library's SONAME (VMEMU_CAPSTONE_SONAME, from
 * cmake/capstone.cmake) and this file dlopens it when first asked.
 *
 * Invariants: the library is loaded at most once per process, by
 * pthread_once, and never unloaded (handles and instructions Capstone
 * gave out stay valid until vmemu exits); a failure (no such library, a
 * missing function) is final, remembered with dlerror's words, and
 * reported on stderr at most once; vmemu then runs on without decoding.
 * The SONAME is the one the headers were built against, so the struct
 * layouts (cs_insn, cs_detail) agree. VMEMU_TEST_CAPSTONE_SONAME, for
 * testing only (tests/integration/disasm_lib.sh), names another library
 * to load instead, to show the failures.
 */
#define _GNU_SOURCE
#include "emu/disasm_lib.h"

#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef VMEMU_CAPSTONE_SONAME
#error "VMEMU_CAPSTONE_SONAME: the build names Capstone's library (cmake/capstone.cmake)"
#endif

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static struct capstone lib;
static bool loaded;
static char error[512];

/* One function of the library; NULL, with the reason in error, if absent. */
static void *resolve(void *handle, const char *name)
{
    dlerror();
    void *fn = dlsym(handle, name);
    if (!fn) {
        const char *e = dlerror();
        snprintf(error, sizeof(error), "%s", e ? e : name);
    }
    return fn;
}

/* POSIX guarantees a function's address converts to a void * and back. */
static bool resolve_all(void *handle)
{
    return (lib.open = resolve(handle, "cs_open")) && (lib.option = resolve(handle, "cs_option")) &&
           (lib.disasm = resolve(handle, "cs_disasm")) && (lib.free = resolve(handle, "cs_free")) &&
           (lib.close = resolve(handle, "cs_close")) &&
           (lib.version = resolve(handle, "cs_version")) &&
           (lib.strerror = resolve(handle, "cs_strerror"));
}

static void load(void)
{
    const char *soname = getenv("VMEMU_TEST_CAPSTONE_SONAME");
    if (!soname || !*soname)
        soname = VMEMU_CAPSTONE_SONAME;
    void *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *e = dlerror();
        snprintf(error, sizeof(error), "%s", e ? e : soname);
        return;
    }
    if (!resolve_all(handle)) {
        dlclose(handle);
        return;
    }
    struct link_map *map;
    lib.path = dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map->l_name[0] ? map->l_name : soname;
    loaded = true;
}

const struct capstone *capstone_load(const char **why)
{
    pthread_once(&load_once, load);
    if (!loaded) {
        *why = error;
        return NULL;
    }
    return &lib;
}

const struct capstone *capstone_for_decode(void)
{
    static bool told;
    const char *why;
    const struct capstone *cs = capstone_load(&why);
    if (!cs && !told) {
        told = true;
        fprintf(stderr,
                "vmemu: the disassembler is unavailable (%s): instructions are not decoded, "
                "fault addresses are exact to the page only\n",
                why);
    }
    return cs;
}
