/*
 * Which function, and which source line, an address of a guest program is
 * in: "main+0x1c" from the ELF symbol table (libelf), "touch.c:12" from
 * DWARF line tables when the file has them (libdw). Any file-backed mapping
 * is looked up through its file and offset, so the program itself, a
 * static-PIE wherever it was placed, and shared libraries mapped by a
 * dynamic loader are all named the same way.
 */
#ifndef VMEMU_EMU_TRACE_SYMBOLS_H
#define VMEMU_EMU_TRACE_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

struct mm_struct;

struct symbol_info {
    char func[128]; /* "main+0x1c", "" when no symbol covers the address */
    char line[160]; /* "touch.c:12" (the source file's base name), "" without DWARF */
};

/* Name ip in mm; false when nothing is known (no file mapping, no symbol, no line). */
bool symbolize(struct mm_struct *mm, uint64_t ip, struct symbol_info *out);
/* Close every file the symbolizer opened. */
void symbols_exit(void);

#endif
