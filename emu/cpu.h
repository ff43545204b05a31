/*
 * The emulated CPU, as the rest of vmemu sees it: registers, a run loop
 * step, and the reasons it stops. Unicorn is behind this interface, in
 * cpu.c alone.
 */
#ifndef VMEMU_EMU_CPU_H
#define VMEMU_EMU_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/fault.h"

struct task;
struct cpu;
struct mm_struct;

enum cpu_reg {
    CPU_RAX,
    CPU_RBX,
    CPU_RCX,
    CPU_RDX,
    CPU_RSI,
    CPU_RDI,
    CPU_RBP,
    CPU_RSP,
    CPU_R8,
    CPU_R9,
    CPU_R10,
    CPU_R11,
    CPU_R12,
    CPU_R13,
    CPU_R14,
    CPU_R15,
    CPU_RIP,
    CPU_RFLAGS,
    CPU_FS_BASE,
    CPU_GS_BASE,
    CPU_NR_REGS
};

/* Why cpu_run returned. */
enum cpu_stop {
    CPU_STOP_REQUESTED,  /* cpu_request_stop(): exit, a fatal signal */
    CPU_STOP_PAGE_FAULT, /* the MMU found no usable entry: see struct cpu_fault */
    CPU_STOP_TRAP,       /* a CPU exception other than a page fault */
    CPU_STOP_ERROR,      /* the emulator failed: see cpu_error() */
};

struct cpu_fault {
    uint64_t addr;              /* the address accessed */
    unsigned int flags;         /* FAULT_FLAG_* */
    uint64_t ip;                /* the faulting instruction */
    bool handled;               /* inline mode: handle_mm_fault already ran and refused */
    struct fault_result result; /* then: what it said */
    bool uffd_retry;            /* the retry of a fault that waited for a userfaultfd handler */
};

struct cpu_trap {
    int vector; /* x86 exception number: 0 #DE, 6 #UD, 13 #GP, ... */
    uint64_t ip;
};

/*
 * The machine's CPU, with guest RAM registered once; NULL with a message on
 * failure. There is one for the whole run: tasks take turns on it.
 */
struct cpu *cpu_create(const char **why);

/*
 * The task the CPU runs now: its system calls and faults go to it, and the
 * MMU walks its mm's page tables. Switching to a task with another mm
 * flushes the TLB (its entries belong to the other page tables); a switch
 * between threads of one mm does not. Translated code is kept: it is
 * cached by physical frame, so processes sharing frames share it.
 */
void cpu_set_task(struct cpu *c, struct task *t);
/* The mm changed under the current task (execve): walk the new one. */
void cpu_switch_mm(struct cpu *c, struct mm_struct *mm);

/* A task's saved registers, while another task runs. */
struct cpu_context;
struct cpu_context *cpu_context_alloc(struct cpu *c);
void cpu_context_free(struct cpu_context *ctx);
void cpu_context_save(struct cpu *c, struct cpu_context *ctx);
void cpu_context_restore(struct cpu *c, const struct cpu_context *ctx);
uint64_t cpu_context_get(struct cpu_context *ctx, enum cpu_reg r);
void cpu_context_set(struct cpu_context *ctx, enum cpu_reg r, uint64_t v);

/*
 * The x87/SSE state in the FXSAVE layout (512 bytes), as Linux puts it in a
 * signal frame, and back; and the state a new program (or a signal
 * handler) starts with: as after fninit, MXCSR 0x1f80.
 */
#define FXSAVE_SIZE 512
void cpu_fxsave(struct cpu *c, uint8_t buf[FXSAVE_SIZE]);
void cpu_fxrstor(struct cpu *c, const uint8_t buf[FXSAVE_SIZE]);
void cpu_fpu_init(struct cpu *c);
/*
 * The registers as execve leaves them for a new program at ip with its
 * stack at sp (the rest of the start state, CPL 3 and the control
 * registers, is set once by cpu_create). False if the emulator refused.
 */
bool cpu_start_thread(struct cpu *c, uint64_t ip, uint64_t sp);

/*
 * Inline faults (the default unless faults are traced): the TLB-fill hook
 * resolves faults itself and the CPU does not stop (faster; RIP is not
 * known there, so not for traced faults). Precise faults: the CPU stops on
 * the faulting instruction.
 */
void cpu_set_inline_faults(struct cpu *c, bool on);
void cpu_destroy(struct cpu *c);

/*
 * Run from pc until something stops the CPU. With preemption on, a
 * quantum of that many blocks (0: none) ends the run too, as a
 * CPU_STOP_REQUESTED with cpu_quantum_expired() true.
 */
enum cpu_stop cpu_run(struct cpu *c, uint64_t pc, uint64_t quantum, struct cpu_fault *fault,
                      struct cpu_trap *trap);

/*
 * Count blocks from now on, so that runs can be cut into quanta and the
 * virtual clock can follow guest work. It costs every block a call, so it
 * comes on only when a program needs it (a second thread, an interval
 * timer), and stays on: turning it on flushes every translation, once.
 */
void cpu_enable_preemption(struct cpu *c);
bool cpu_preempting(const struct cpu *c);
/* Blocks the last cpu_run executed (counted only with preemption on). */
uint64_t cpu_blocks_run(const struct cpu *c);
bool cpu_quantum_expired(const struct cpu *c);
void cpu_request_stop(struct cpu *c);
/* Inside the TLB-fill hook (a fault resolved inline): the CPU must not be stopped from here. */
bool cpu_in_fill(const struct cpu *c);
/* Stop the CPU that runs now, if any; async-signal-safe (see cpu.c). */
bool cpu_stop_current_async(void);
const char *cpu_error(const struct cpu *c);

uint64_t cpu_get(struct cpu *c, enum cpu_reg r);
void cpu_set(struct cpu *c, enum cpu_reg r, uint64_t v);

/*
 * Disassemble the instruction at ip (read through the page tables) into
 * buf as "mnemonic operands"; returns false when it cannot be read.
 */
bool cpu_disasm(struct cpu *c, uint64_t ip, char *buf, unsigned int len);

/* Whether this CPU can decode at all (Capstone, loaded on first use: emu/disasm_lib.c). */
bool cpu_can_disasm(struct cpu *c);

/*
 * The exact address of a fault the MMU reported by page: Unicorn hands the
 * TLB-fill hook only the page, so the instruction's memory operands are
 * decoded to find the byte it touched (Linux's "segfault at 10"). Falls
 * back to the page address when the operand cannot be worked out.
 */
uint64_t cpu_fault_address(struct cpu *c, const struct cpu_fault *f);

#endif
