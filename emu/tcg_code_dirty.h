/* Unicorn's TLB walk after each translated block, skipped (emu/tcg_code_dirty.c). */
#ifndef VMEMU_EMU_TCG_CODE_DIRTY_H
#define VMEMU_EMU_TCG_CODE_DIRTY_H

#include <stdint.h>

/* Walks skipped since start: 0 unless the static link routes them here. */
extern unsigned long tcg_dirty_walks_skipped;

#endif
