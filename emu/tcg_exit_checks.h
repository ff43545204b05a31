/* Turning off Unicorn's exit test after every guest memory access (see the .c). */
#ifndef VMEMU_EMU_TCG_EXIT_CHECKS_H
#define VMEMU_EMU_TCG_EXIT_CHECKS_H

#include <stdbool.h>

/*
 * The offset of the engine's no_exit_request flag, read from the start of
 * the code at code (check_exit_request's shape in Unicorn 2.1.1: mov
 * disp32(%rdi),%rax; cmpb $0,disp32(%rax); je), or -1 for any other code.
 */
long tcg_exit_flag_offset_in(const unsigned char *code);

/* tcg_exit_flag_offset_in of the loaded Unicorn's check_exit_request_x86_64, or -1. */
long tcg_exit_flag_offset(void);

/*
 * Set the flag in engine (a uc_engine, before it translates anything):
 * blocks translated from then on test the exit request at their start
 * only. False, and nothing changed, when the flag cannot be found.
 */
bool tcg_exit_checks_off(void *engine);

#endif
