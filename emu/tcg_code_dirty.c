/*
 * No walk of the whole soft TLB after each block Unicorn translates.
 *
 * Unicorn 2.1.1 ends every translation (tb_gen_code) with
 * tlb_reset_dirty_by_vaddr: a walk over every entry of every MMU mode's TLB
 * and of the victim TLB, marking the entries that may write the block's
 * page "not dirty", so that a store to that page takes the slow path, which
 * throws the page's translations away (self-modifying code). It costs a
 * whole TLB per block translated: 15% of `python3 -c pass`'s CPU time once
 * the TLB has grown to 4096 entries (emu/cpu.c, grow_tlb), 2% of a static
 * hello's.
 *
 * Under vmemu the walk finds nothing to mark: the TLB never holds write and
 * execute rights to one frame at once (emu/cpu.c, wx_grant). Code is
 * translated only from a frame marked as holding code; a fetch from a frame
 * some entry may write flushes the whole TLB first, and a write to a frame
 * holding code is refused until its code is gone. So no entry grants write
 * to a page Unicorn translates from, and the walk is skipped: the static
 * link (cmake/unicorn.cmake) sends translate-all.c's call to the function
 * below (ld --wrap), which only counts it. samples/jit.c (code written
 * over and run again) and tests/integration/stale_code.sh show that code
 * still never runs stale.
 * With the shared library the call stays inside libunicorn.so.
 */
#include "emu/tcg_code_dirty.h"

unsigned long tcg_dirty_walks_skipped;

void __wrap_tlb_reset_dirty_by_vaddr_x86_64(void *cpu, uint64_t start, uint64_t length);

void __wrap_tlb_reset_dirty_by_vaddr_x86_64(void *cpu, uint64_t start, uint64_t length)
{
    (void)cpu;
    (void)start;
    (void)length;
    tcg_dirty_walks_skipped++;
}
