/*
 * One check fewer per guest memory access.
 *
 * Unicorn 2.1.1 follows every guest load and store it translates with a
 * test of the CPU's exit request (qemu/tcg/tcg-op.c, check_exit_request):
 * a conditional branch to the block's exit. A branch ends one of TCG's
 * basic blocks, so around every access each guest register the block
 * changed is written back to the CPU state and read again afterwards:
 * memory-heavy guest code runs 10-20% slower than the same block
 * translated without the tests (docs/performance.md has the figures).
 *
 * The tests are there so that a memory hook calling uc_emu_stop, or an
 * access to memory Unicorn does not know, stops the block at once. vmemu
 * has neither: it installs no memory hooks, every address its TLB-fill
 * hook hands out lies in the guest RAM it registered, and a refused fill
 * leaves the block by Unicorn's exception path (which restores the exact
 * state of the faulting instruction), not by the exit request. Every
 * uc_emu_stop vmemu makes lands where the test at a block's start sees it:
 * from the block hook and the new-edge hook (both run before that test),
 * from the syscall hook (a syscall ends its block), from the interrupt
 * hook (an exception already left the block), or from a host signal
 * handler, which the test at the next block's start serves (rather than a
 * test in the middle of a block, which would run the block again from its
 * start with some of its instructions already done).
 *
 * Unicorn turns the tests off itself while it translates an ARM IT block,
 * with a flag in its engine (uc_struct's no_exit_request) that the x86
 * translator never touches. Its offset is not public, so it is read from
 * the first thing check_exit_request_x86_64 (an exported symbol of the
 * library) does: load tcg_ctx->uc, compare that byte with zero. Any other
 * code shape (another Unicorn build) is left alone and vmemu runs with
 * the tests, as before.
 */
#include "emu/tcg_exit_checks.h"

#include <stdint.h>
#include <string.h>

/* Unicorn's, when the library exports it; weak, so a build without it still links. */
extern void check_exit_request_x86_64(void *tcg_ctx) __attribute__((weak));

/* Far more than uc_struct's size: anything beyond is not the flag. */
#define MAX_OFFSET 0x10000L

static int32_t disp32(const unsigned char *p)
{
    int32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

long tcg_exit_flag_offset_in(const unsigned char *code)
{
    const unsigned char *p = code;
    static const unsigned char endbr64[] = {0xf3, 0x0f, 0x1e, 0xfa};
    if (!memcmp(p, endbr64, sizeof(endbr64)))
        p += sizeof(endbr64);
    /* mov disp32(%rdi),%rax: tcg_ctx->uc */
    if (p[0] != 0x48 || p[1] != 0x8b || p[2] != 0x87)
        return -1;
    p += 7;
    /* cmpb $0x0,disp32(%rax): uc->no_exit_request */
    if (p[0] != 0x80 || p[1] != 0xb8 || p[6] != 0x00)
        return -1;
    long off = disp32(p + 2);
    p += 7;
    /* je: the tests are generated when the flag is clear */
    if (!(p[0] == 0x74 || (p[0] == 0x0f && p[1] == 0x84)))
        return -1;
    return off > 0 && off < MAX_OFFSET ? off : -1;
}

long tcg_exit_flag_offset(void)
{
    if (!check_exit_request_x86_64)
        return -1;
    return tcg_exit_flag_offset_in((const unsigned char *)(uintptr_t)check_exit_request_x86_64);
}

bool tcg_exit_checks_off(void *engine)
{
    long off = tcg_exit_flag_offset();
    if (off < 0)
        return false;
    unsigned char *flag = (unsigned char *)engine + off;
    if (*flag > 1)
        return false; /* not a bool: not the field the code says */
    *flag = 1;
    return true;
}
