/*
 * Capstone, the disassembler, loaded with dlopen the first time an
 * instruction is decoded (emu/disasm_lib.c says why). Only its headers are
 * part of the build: the functions vmemu calls are reached through struct
 * capstone, whose members have exactly the headers' types.
 */
#ifndef EMU_DISASM_LIB_H
#define EMU_DISASM_LIB_H

#include <capstone/capstone.h>

struct capstone {
    typeof(cs_open) *open;
    typeof(cs_option) *option;
    typeof(cs_disasm) *disasm;
    typeof(cs_free) *free;
    typeof(cs_close) *close;
    typeof(cs_version) *version;
    typeof(cs_strerror) *strerror;
    const char *path; /* the file ld.so found for the SONAME */
};

/*
 * Capstone, loaded on the first call (later calls give the same answer):
 * NULL when the library or one of its functions cannot be found, with *why
 * saying which, in dlerror's words.
 */
const struct capstone *capstone_load(const char **why);

/*
 * The same, for a decode: when Capstone cannot be loaded, the first call in
 * the process says so on stderr, one line, and every call returns NULL.
 */
const struct capstone *capstone_for_decode(void);

#endif
