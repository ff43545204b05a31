/*
 * The emulated CPU: the one place vmemu talks to Unicorn.
 *
 * Unicorn runs in its virtual-TLB mode: on every TLB miss it calls
 * on_tlb_fill, which asks mm/'s page-table walk (mm_translate) for the
 * frame and the rights. A refused access stops the CPU with RIP on the
 * faulting instruction; the task's run loop handles the fault and resumes
 * there. Guest RAM is registered once, at PHYS_BASE, and never again.
 * cpu_create leaves the CPU as Linux gives it to a new program: CPL 3,
 * user selectors, FPU after fninit, a CPU model whose CPUID promises only
 * what Unicorn's translator implements (docs/cpu.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "emu/cpu.h"
#include "emu/disasm_lib.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "emu/tcg_code_dirty.h"
#include "emu/tcg_exit_checks.h"
#include "mm/arch.h"
#include "mm/array_size.h"
#include "mm/fault.h"
#include "mm/mmzone.h"
#include "mm/swap.h"
#include "mm/uaccess.h"
#include "vdso/vvar.h"

/* Where the direct map of guest RAM sits in Unicorn's physical space. */
#define PHYS_BASE 0x4000000000ULL
#define TCG_BUFFER_BYTES (64U << 20)
/* Where the one-instruction stub that drops to user mode runs: no guest can map it. */
#define ENTRY_STUB_VA 0xfffffe0000000000ULL

#define TLB_FILTER_BITS 4096

/*
 * Unicorn's TLB is direct mapped and starts with 256 entries (1 MiB of
 * pages); QEMU grows it only when it is flushed while more than 70% used,
 * and shrinks it after 100 ms of low use. vmemu flushes rarely (the
 * filter above), so a program whose working set outgrows 256 pages would
 * refill it on nearly every access to its data (zstd's round trip of
 * 10 MiB: 2.8 million fills). So a fill that finds more fills than twice
 * the TLB's presumed size since the last flush flushes it, letting QEMU
 * double it, up to TLB_GROW_LIMIT entries: past that a larger table costs
 * every flush more than it saves (8192 entries: 256 KiB, 32 MiB of pages).
 */
#define TLB_DEFAULT_ENTRIES 256UL
#define TLB_GROW_LIMIT 8192UL

struct cpu {
    uc_engine *uc;
    struct task *task;    /* the task running now */
    struct mm_struct *mm; /* the page tables the MMU walks: the task's, or one probed */
    uc_hook fill_hook, syscall_hook, intr_hook, block_hook, cpuid_hook, gen_hook;
    uint64_t
        tcg_estimate; /* bytes of the translation buffer used since its last flush, estimated */
    uint64_t entry_stub_pa; /* while entering user mode: the stub's frame, else 0 */
    uint8_t *frame_state;   /* FRAME_* of every frame of guest RAM */
    bool wx_pending;        /* a store to a frame holding code was refused: drop the code */
    uint64_t wx_page;
    unsigned long nr_frames;
    bool preempting;   /* the block hook is in: quanta are counted */
    bool want_preempt; /* asked for; comes in at the next cpu_run */
    uint64_t blocks;   /* blocks run since cpu_run started */
    uint64_t quantum;  /* stop after this many (0: never) */
    bool quantum_expired;
    /* Loaded and opened on first use (capstone_ready): most runs never disassemble. */
    const struct capstone *cs; /* the library's functions, once cs_ok */
    csh capstone;
    bool cs_ok, cs_tried;
    bool fault_pending, trap_pending;
    bool probing; /* Unicorn is translating for itself (code removal): no fault */
    bool inline_faults;
    bool in_fill;     /* inside on_tlb_fill: code removal must wait */
    bool kernel_stop; /* a fill was refused so that kernel work (kswapd) runs first */
    /*
     * Work asked for inside a TLB fill, done once the CPU stops: the frames
     * whose code must go (past a few, all code goes), and a TLB flush for
     * virtual addresses that now map other frames.
     */
    unsigned int nr_deferred;
    bool deferred_overflow;
    uint64_t deferred[16];
    bool tlb_flush_deferred;
    /*
     * The pages a fill handed to Unicorn's TLB since its last flush, as a
     * bitmap hashed by page number (a set bit may be another page's: it
     * only costs a flush). A page whose bit is clear has no entry there,
     * nor any code in the jump cache (found through a fill too), so its
     * PTE may change without a flush (arch_tlb_may_hold).
     */
    uint64_t tlb_filled[TLB_FILTER_BITS / 64];
    unsigned long fills_since_flush;
    unsigned long
        tlb_entries; /* what Unicorn's TLB presumably holds: grow_tlb's flushes double it */
    unsigned long nr_fills, nr_flushes, nr_growth_flushes; /* for VMEMU_TEST_TLB_STATS */
    bool probe_fixed; /* probing: translate probe_va to probe_pa, whatever the tables say */
    uint64_t probe_va, probe_pa;
    struct cpu_fault fault;
    struct cpu_trap trap;
    uc_err last_err;
};

/* The machine's CPU: what the arch hooks act on. */
static struct cpu *current_cpu;

static const int uc_regs[CPU_NR_REGS] = {
    [CPU_RAX] = UC_X86_REG_RAX,         [CPU_RBX] = UC_X86_REG_RBX,
    [CPU_RCX] = UC_X86_REG_RCX,         [CPU_RDX] = UC_X86_REG_RDX,
    [CPU_RSI] = UC_X86_REG_RSI,         [CPU_RDI] = UC_X86_REG_RDI,
    [CPU_RBP] = UC_X86_REG_RBP,         [CPU_RSP] = UC_X86_REG_RSP,
    [CPU_R8] = UC_X86_REG_R8,           [CPU_R9] = UC_X86_REG_R9,
    [CPU_R10] = UC_X86_REG_R10,         [CPU_R11] = UC_X86_REG_R11,
    [CPU_R12] = UC_X86_REG_R12,         [CPU_R13] = UC_X86_REG_R13,
    [CPU_R14] = UC_X86_REG_R14,         [CPU_R15] = UC_X86_REG_R15,
    [CPU_RIP] = UC_X86_REG_RIP,         [CPU_RFLAGS] = UC_X86_REG_RFLAGS,
    [CPU_FS_BASE] = UC_X86_REG_FS_BASE, [CPU_GS_BASE] = UC_X86_REG_GS_BASE,
};

uint64_t cpu_get(struct cpu *c, enum cpu_reg r)
{
    uint64_t v = 0;
    uc_reg_read(c->uc, uc_regs[r], &v);
    return v;
}

void cpu_set(struct cpu *c, enum cpu_reg r, uint64_t v)
{
    uc_reg_write(c->uc, uc_regs[r], &v);
}

static unsigned int access_to_flags(uc_mem_type type)
{
    if (type == UC_MEM_WRITE)
        return FAULT_FLAG_WRITE | FAULT_FLAG_USER;
    if (type == UC_MEM_FETCH)
        return FAULT_FLAG_INSTRUCTION | FAULT_FLAG_USER;
    return FAULT_FLAG_USER;
}

static unsigned long tlb_filter_bit(uint64_t vaddr)
{
    return (unsigned long)(vaddr >> PAGE_SHIFT) % TLB_FILTER_BITS;
}

/* Every flush of Unicorn's TLB goes through here, so that the filter empties with it. */
static void flush_tlb(struct cpu *c)
{
    uc_ctl_flush_tlb(c->uc);
    memset(c->tlb_filled, 0, sizeof(c->tlb_filled));
    c->fills_since_flush = 0;
    c->nr_flushes++;
}

/*
 * Called by every fill, before it hands Unicorn the entry: a flush here is
 * safe (its callers look the entry up again after the fill, since QEMU may
 * resize the table inside one) and the entry lands in the grown table.
 */
static void grow_tlb(struct cpu *c)
{
    c->nr_fills++;
    if (++c->fills_since_flush <= 2 * c->tlb_entries || c->tlb_entries >= TLB_GROW_LIMIT)
        return;
    flush_tlb(c);
    c->tlb_entries *= 2;
    c->nr_growth_flushes++;
}

static void fill_entry(struct cpu *c, uint64_t vaddr, uc_tlb_entry *out, uint64_t pa,
                       unsigned int prot)
{
    unsigned long bit = tlb_filter_bit(vaddr);
    c->tlb_filled[bit / 64] |= 1ULL << (bit % 64);
    out->paddr = PHYS_BASE + pa;
    out->perms = (uc_prot)(((prot & MMU_PROT_READ) ? UC_PROT_READ : 0) |
                           ((prot & MMU_PROT_WRITE) ? UC_PROT_WRITE : 0) |
                           ((prot & MMU_PROT_EXEC) ? UC_PROT_EXEC : 0));
}

/* Inline mode: resolve the fault here; false (with the result kept) if refused. */
static bool fault_inline(struct cpu *c, uint64_t vaddr, uc_mem_type type)
{
    struct fault_result r;
    c->in_fill = true;
    handle_mm_fault(c->mm, vaddr, access_to_flags(type), &r);
    c->in_fill = false;
    if (!fault_is_error(r.kind) && r.kind != FAULT_USERFAULT)
        return true;
    c->fault.handled = true;
    c->fault.result = r;
    return false;
}

/*
 * Write xor execute, per frame, in what the TLB holds. Unicorn 2.1.1 does
 * not see every guest store into a page it has translated code from (after
 * the first store to such a page, later ones to its other blocks leave their
 * stale translations in place: samples/jit.c shows it), which
 * breaks every JIT. So vmemu never lets the TLB hold write and execute
 * rights to one frame at once:
 *   - a fetch from a frame some TLB entry may write: flush the TLB (every
 *     such entry goes), then map it readable and executable only;
 *   - a write to a frame code may have been translated from: drop those
 *     translations (once the CPU stops, before another block runs), flush
 *     the TLB (aliases lose execute), then map it readable and writable only.
 * Frames of programs' text are never written, frames of data never run:
 * they never switch, and cost nothing.
 */
#define FRAME_WRITABLE 1u /* some TLB entry may hold write rights to the frame */
#define FRAME_CODE 2u     /* code may have been translated from the frame */
#define WX_REFUSE (~0u)   /* wx_grant: fail this fill (a write to code: see cpu_run) */

/* A fault resolved inside a fill asked for work only a stopped CPU may do (run_deferred). */
static bool fill_deferred_work(const struct cpu *c)
{
    return c->nr_deferred || c->deferred_overflow || c->tlb_flush_deferred;
}

static unsigned int wx_grant(struct cpu *c, uint64_t vaddr, uint64_t pa, enum mmu_access a,
                             unsigned int prot)
{
    unsigned long pfn = pa >> PAGE_SHIFT;
    if (pfn >= c->nr_frames)
        return prot;
    uint8_t *st = &c->frame_state[pfn];
    bool want_exec = a == MMU_FETCH || (a == MMU_READ && (*st & FRAME_CODE));
    if (want_exec && (prot & MMU_PROT_EXEC)) {
        if (*st & FRAME_WRITABLE) {
            flush_tlb(c);
            *st &= (uint8_t)~FRAME_WRITABLE;
        }
        *st |= FRAME_CODE;
        return prot & ~MMU_PROT_WRITE;
    }
    if (prot & MMU_PROT_WRITE) {
        if ((*st & FRAME_CODE) && a == MMU_WRITE) {
            /* Refuse this once: the run loop drops the frame's code, then the store goes on. */
            c->wx_pending = true;
            c->wx_page = vaddr & PAGE_MASK;
            return WX_REFUSE;
        }
        if (*st & FRAME_CODE)
            return prot & ~MMU_PROT_WRITE; /* a read: keep the code, not the write */
        *st |= FRAME_WRITABLE;
    }
    return prot & ~MMU_PROT_EXEC;
}

static bool on_tlb_fill(uc_engine *uc, uint64_t vaddr, uc_mem_type type, uc_tlb_entry *out,
                        void *arg)
{
    struct cpu *c = arg;
    (void)uc;
    enum mmu_access a = type == UC_MEM_WRITE   ? MMU_WRITE
                        : type == UC_MEM_FETCH ? MMU_FETCH
                                               : MMU_READ;
    uint64_t pa;
    unsigned int prot;
    if (c->entry_stub_pa && (vaddr & PAGE_MASK) == ENTRY_STUB_VA) {
        out->paddr = PHYS_BASE + c->entry_stub_pa;
        out->perms = UC_PROT_READ | UC_PROT_EXEC;
        return true;
    }
    if (c->probing) {
        /* Unicorn looking a page up to drop its code: any present page will do. */
        if (c->probe_fixed && (vaddr & PAGE_MASK) == c->probe_va)
            pa = c->probe_pa;
        else if (!c->mm || !mm_translate(c->mm, vaddr, MMU_READ, &pa, &prot))
            return false;
        fill_entry(c, vaddr, out, pa, MMU_PROT_READ | MMU_PROT_EXEC);
        return true;
    }
    grow_tlb(c);
    if (c->mm && mm_translate(c->mm, vaddr, a, &pa, &prot)) {
        unsigned int granted = wx_grant(c, vaddr, pa, a, prot);
        if (granted == WX_REFUSE)
            return false;
        fill_entry(c, vaddr, out, pa, granted);
        return true;
    }
    c->fault.handled = false;
    /* Above user space only the vsyscall page can be touched: the run loop sees to it. */
    if (c->inline_faults && c->mm && vaddr < TASK_SIZE && fault_inline(c, vaddr, type)) {
        /*
         * The fault asked for code to go (a copy-on-write of an executable
         * page): refuse the fill, so the CPU stops on this instruction with
         * its state exact (stopping from inside a fill that succeeds does
         * not: Unicorn may run the block again from its start); cpu_run
         * drops the code and runs the instruction again.
         */
        if (fill_deferred_work(c))
            return false;
        /*
         * The fault woke kswapd: stop here, exactly, so that the run loop
         * runs it before the guest goes on (refusing the fill, for the
         * same reason as above); the access is then made again.
         */
        if (kswapd_pending()) {
            c->kernel_stop = true;
            return false;
        }
        if (mm_translate(c->mm, vaddr, a, &pa, &prot)) {
            unsigned int granted = wx_grant(c, vaddr, pa, a, prot);
            if (granted == WX_REFUSE)
                return false;
            fill_entry(c, vaddr, out, pa, granted);
            return true;
        }
    }
    /* Stop: uc_emu_start returns with RIP on the faulting instruction. */
    c->fault_pending = true;
    c->fault.addr = vaddr;
    c->fault.flags = access_to_flags(type);
    return false;
}

static void on_syscall(uc_engine *uc, void *arg)
{
    (void)uc;
    struct cpu *c = arg;
    syscall_dispatch(c->task);
}

/*
 * The translation buffer must never fill while the CPU runs: Unicorn 2.1.1
 * then flushes it from inside its execution loop and may patch a jump into
 * a translation block that is gone (a host crash in tb_set_jmp_target,
 * Unicorn issues #1923 and #2048; a shell running 60 programs filled 64 MiB
 * with translations of frames freed since). So vmemu counts what each new
 * block costs, from the one hook Unicorn calls only when it translates,
 * and empties the buffer itself at a safe point, between runs, once half
 * is used. Measured here: about 540 bytes of buffer per block, 120 per
 * guest instruction; the estimate errs high (and blocks translated first
 * in a run are not reported, which the margin covers).
 */
#define TCG_BYTES_PER_TB 160
#define TCG_BYTES_PER_INSN 112
#define TCG_FLUSH_AT (TCG_BUFFER_BYTES / 2)

/* Empty the translation buffer (the CPU stopped: nothing of it is running). */
static void flush_translations(struct cpu *c)
{
    uc_ctl_flush_tb(c->uc);
    c->tcg_estimate = 0;
}

static void on_tb_generated(uc_engine *uc, uc_tb *cur, uc_tb *prev, void *arg)
{
    struct cpu *c = arg;
    (void)prev;
    c->tcg_estimate += TCG_BYTES_PER_TB + (uint64_t)cur->icount * TCG_BYTES_PER_INSN;
    if (c->tcg_estimate >= TCG_FLUSH_AT)
        uc_emu_stop(uc); /* before the block runs: cpu_run flushes, then goes on */
}

/* Counting blocks, when preemption is on: the quantum's end stops the CPU. */
static void on_block(uc_engine *uc, uint64_t address, uint32_t size, void *arg)
{
    struct cpu *c = arg;
    (void)address, (void)size;
    if (++c->blocks == c->quantum) {
        c->quantum_expired = true;
        uc_emu_stop(uc);
    }
}

static void on_interrupt(uc_engine *uc, uint32_t intno, void *arg)
{
    struct cpu *c = arg;
    c->trap_pending = true;
    c->trap.vector = (int)intno;
    uc_emu_stop(uc);
}

/*
 * The CPU model. Unicorn's default (qemu64) offers SSE3 and CX16 only, and
 * its translator refuses what the model lacks, so a program built for a
 * newer CPU would die of SIGILL. Skylake-Client, filtered by Unicorn down
 * to what its translator implements, offers SSSE3, SSE4.1/4.2, POPCNT,
 * MOVBE, AES, PCLMULQDQ, LZCNT, BMI1/2, ADX, FSGSBASE and RDTSCP; AVX and
 * the rest are not emulated and not offered (docs/cpu.md has the table).
 */
#define CPU_MODEL UC_CPU_X86_SKYLAKE_CLIENT
/* CPUID.1 of that model as Unicorn answers it, less RDRAND (see on_cpuid). */
#define CPUID1_EAX 0x000506e3u /* family 6, model 0x5e, stepping 3 */
#define CPUID1_EBX 0x00000800u /* 64-byte CLFLUSH line, APIC id 0 */
#define CPUID1_ECX 0x86d82203u
#define CPUID1_EDX 0x078bfbfdu /* what the loader puts in AT_HWCAP */

/*
 * The cpuid instruction, two leaves of it vmemu's own; Unicorn answers
 * every other one from the model:
 *   - leaf 1 without RDRAND: Unicorn's RDRAND returns the host's random
 *     bytes, which would make a run depend on more than its seed;
 *   - leaf PVCLOCK_CPUID_LEAF is vmemu's paravirtual clock, the way the
 *     vDSO reads the machine clock without a system call (Unicorn 2.1.1
 *     cannot hook rdtsc): edx:eax get sched.c's pvclock_read(), ebx and
 *     ecx zero.
 * Unicorn lets one hook decide, so both live here.
 */
static int on_cpuid(uc_engine *uc, void *arg)
{
    (void)uc;
    struct cpu *c = arg;
    uint32_t leaf = (uint32_t)cpu_get(c, CPU_RAX);
    uint64_t v[4]; /* rax, rbx, rcx, rdx */
    if (leaf == 1) {
        v[0] = CPUID1_EAX, v[1] = CPUID1_EBX, v[2] = CPUID1_ECX, v[3] = CPUID1_EDX;
    } else if (leaf == PVCLOCK_CPUID_LEAF) {
        uint64_t ns = pvclock_read();
        v[0] = (uint32_t)ns, v[1] = 0, v[2] = 0, v[3] = ns >> 32;
    } else {
        return 0; /* Unicorn answers */
    }
    cpu_set(c, CPU_RAX, v[0]);
    cpu_set(c, CPU_RBX, v[1]);
    cpu_set(c, CPU_RCX, v[2]);
    cpu_set(c, CPU_RDX, v[3]);
    return 1;
}

/*
 * The CPU as Linux hands it to a new program (start_thread, ELF_PLAT_INIT,
 * the FPU reset at exec): CPL 3 with CS 0x33 and SS 0x2b and the other
 * selectors null, rflags 0x202 (IF), every general register zero, x87 and
 * SSE as after fninit: control word 0x37f (64-bit precision, exceptions
 * masked), every tag empty, MXCSR 0x1f80. Unicorn starts at CPL 0 with all
 * of them zero, where privileged instructions run and x87 arithmetic
 * rounds to 24 bits. CR0 and CR4 carry what Linux sets that user mode can
 * tell: NE (x87 errors raise #MF, so SIGFPE), OSFXSR and OSXMMEXCPT (SSE),
 * FSGSBASE (rdfsbase and friends, AT_HWCAP2 says so). OSXSAVE stays clear:
 * no XSAVE state, so AVX is off whatever a model says.
 */
#define CR0_INIT (0x1ULL | 0x2ULL | 0x10ULL | 0x20ULL) /* PE MP ET NE */
#define CR4_INIT ((1ULL << 9) | (1ULL << 10) | (1ULL << 16))
#define MSR_EFER 0xc0000080u
#define MSR_STAR 0xc0000081u
#define EFER_SCE 0x1ULL
#define STAR_USER32_CS 0x23ULL /* sysretq loads CS from it + 16, SS + 8 */
#define USER_CS 0x33
#define RFLAGS_INIT 0x202ULL

static bool write_regs(uc_engine *uc, const int *ids, void *const *vals, int n)
{
    for (int i = 0; i < n; i++)
        if (uc_reg_write(uc, ids[i], vals[i]) != UC_ERR_OK)
            return false;
    return true;
}

/*
 * CPL 3 is reached the way Linux returns to a new program: sysretq, from a
 * stub page that the TLB-fill hook alone maps, at a kernel address. It
 * lands on the next page, which nothing maps: the fetch is refused there
 * (probing: no fault is recorded) and the CPU stops. The stub's
 * translation and frame are gone before any guest code exists.
 */
static bool enter_user_mode(struct cpu *c)
{
    static const uint8_t sysretq[] = {0x48, 0x0f, 0x07};
    const uint64_t landing = ENTRY_STUB_VA + PAGE_SIZE;
    uint64_t cr0 = CR0_INIT, cr4 = CR4_INIT, rcx = landing, rflags = RFLAGS_INIT;
    uc_x86_msr efer = {.rid = MSR_EFER}, star = {.rid = MSR_STAR, .value = STAR_USER32_CS << 48};
    if (uc_reg_read(c->uc, UC_X86_REG_MSR, &efer) != UC_ERR_OK)
        return false;
    efer.value |= EFER_SCE;
    const int ids[] = {UC_X86_REG_CR0, UC_X86_REG_CR4, UC_X86_REG_MSR,
                       UC_X86_REG_MSR, UC_X86_REG_RCX, UC_X86_REG_R11};
    void *const vals[] = {&cr0, &cr4, &efer, &star, &rcx, &rflags};
    struct page *stub = alloc_page(GFP_KERNEL);
    if (!stub || !write_regs(c->uc, ids, vals, 6)) {
        if (stub)
            __free_page(stub);
        return false;
    }
    memcpy(page_address(stub), sysretq, sizeof(sysretq));
    c->entry_stub_pa = page_to_phys(stub);
    c->probing = true;
    uc_emu_start(c->uc, ENTRY_STUB_VA, 0, 0, 0);
    c->probing = false;
    uc_ctl_remove_cache(c->uc, ENTRY_STUB_VA, ENTRY_STUB_VA + PAGE_SIZE);
    c->entry_stub_pa = 0;
    flush_tlb(c);
    __free_page(stub);
    uint16_t cs = 0;
    uc_reg_read(c->uc, UC_X86_REG_CS, &cs);
    /* rcx and r11 hold what sysretq used: cpu_start_thread clears them. */
    return cs == USER_CS && cpu_get(c, CPU_RIP) == landing && cpu_get(c, CPU_RFLAGS) == RFLAGS_INIT;
}

static bool cpu_setup(struct cpu *c, const char **why)
{
    /* testing (tests/integration/tlb_growth.sh): VMEMU_TEST_TLB_NO_GROW=1 keeps Unicorn's size */
    const char *no_grow = getenv("VMEMU_TEST_TLB_NO_GROW");
    c->tlb_entries = no_grow && *no_grow == '1' ? TLB_GROW_LIMIT : TLB_DEFAULT_ENTRIES;
    if (uc_open(UC_ARCH_X86, UC_MODE_64, &c->uc) != UC_ERR_OK) {
        *why = "cannot open the x86-64 emulator";
        return false;
    }
    /*
     * A translation buffer of 64 MiB rather than Unicorn's 1 GiB: flushing
     * it (when preemption comes on) then takes milliseconds, not seconds.
     */
    if (uc_ctl_set_tcg_buffer_size(c->uc, TCG_BUFFER_BYTES) != UC_ERR_OK) {
        *why = "cannot size the emulator's translation buffer";
        return false;
    }
    /* Before anything is translated: the exit test at each block's start only (see the file). */
    tcg_exit_checks_off(c->uc);
    if (uc_ctl_set_cpu_model(c->uc, CPU_MODEL) != UC_ERR_OK) {
        *why = "the emulator lacks the Skylake-Client CPU model";
        return false;
    }
    if (uc_ctl_tlb_mode(c->uc, UC_TLB_VIRTUAL) != UC_ERR_OK) {
        *why = "Unicorn has no virtual TLB mode (needs 2.1 or newer)";
        return false;
    }
    if (uc_mem_map_ptr(c->uc, PHYS_BASE, phys_ram_bytes(), UC_PROT_ALL, phys_ram_base()) !=
        UC_ERR_OK) {
        *why = "cannot register guest RAM with the emulator";
        return false;
    }
    if (uc_hook_add(c->uc, &c->fill_hook, UC_HOOK_TLB_FILL, (void *)on_tlb_fill, c, 1, 0) ||
        uc_hook_add(c->uc, &c->syscall_hook, UC_HOOK_INSN, (void *)on_syscall, c, 1, 0,
                    UC_X86_INS_SYSCALL) ||
        uc_hook_add(c->uc, &c->intr_hook, UC_HOOK_INTR, (void *)on_interrupt, c, 1, 0) ||
        uc_hook_add(c->uc, &c->cpuid_hook, UC_HOOK_INSN, (void *)on_cpuid, c, 1, 0,
                    UC_X86_INS_CPUID) ||
        uc_hook_add(c->uc, &c->gen_hook, UC_HOOK_EDGE_GENERATED, (void *)on_tb_generated, c, 1,
                    0)) {
        *why = "cannot install the emulator's hooks";
        return false;
    }
    if (!enter_user_mode(c) || !cpu_start_thread(c, 0, 0)) {
        *why = "cannot put the emulated CPU in its user-mode start state";
        return false;
    }
    c->nr_frames = phys_ram_bytes() >> PAGE_SHIFT;
    if (!(c->frame_state = calloc(c->nr_frames, 1))) {
        *why = "out of memory";
        return false;
    }
    return true;
}

/*
 * Capstone's x86-64 decoder with operand details, made on this CPU's first
 * decode; a failure is said once (capstone_for_decode, or here) and final.
 */
static bool capstone_ready(struct cpu *c)
{
    if (c->cs_tried)
        return c->cs_ok;
    c->cs_tried = true;
    const struct capstone *cs = capstone_for_decode();
    if (!cs)
        return false;
    cs_err err = cs->open(CS_ARCH_X86, CS_MODE_64, &c->capstone);
    if (err == CS_ERR_OK && (err = cs->option(c->capstone, CS_OPT_DETAIL, CS_OPT_ON)) != CS_ERR_OK)
        cs->close(&c->capstone);
    if (err != CS_ERR_OK) {
        fprintf(stderr, "vmemu: cannot open Capstone's x86-64 decoder: %s\n", cs->strerror(err));
        return false;
    }
    c->cs = cs;
    c->cs_ok = true;
    return true;
}

struct cpu *cpu_create(const char **why)
{
    struct cpu *c = calloc(1, sizeof(*c));
    if (!c) {
        *why = "out of memory";
        return NULL;
    }
    if (!cpu_setup(c, why)) {
        cpu_destroy(c);
        return NULL;
    }
    current_cpu = c;
    return c;
}

void cpu_destroy(struct cpu *c)
{
    if (!c)
        return;
    if (current_cpu == c)
        current_cpu = NULL;
    /* testing (tests/integration/tlb_growth.sh): what the TLB cost */
    const char *stats = getenv("VMEMU_TEST_TLB_STATS");
    if (stats && *stats == '1')
        fprintf(stderr,
                "vmemu: tlb: %lu fills, %lu flushes, %lu of them to grow it; %lu walks after "
                "translation skipped\n",
                c->nr_fills, c->nr_flushes, c->nr_growth_flushes, tcg_dirty_walks_skipped);
    if (c->cs_ok)
        c->cs->close(&c->capstone);
    free(c->frame_state);
    if (c->uc)
        uc_close(c->uc);
    free(c);
}

void cpu_set_inline_faults(struct cpu *c, bool on)
{
    c->inline_faults = on;
}

void cpu_switch_mm(struct cpu *c, struct mm_struct *mm)
{
    if (c->mm == mm)
        return;
    c->mm = mm;
    flush_tlb(c);
}

void cpu_set_task(struct cpu *c, struct task *t)
{
    c->task = t;
    cpu_switch_mm(c, t ? t->mm : NULL);
}

struct cpu_context {
    uc_context *uc;
};

struct cpu_context *cpu_context_alloc(struct cpu *c)
{
    struct cpu_context *ctx = calloc(1, sizeof(*ctx));
    if (ctx && uc_context_alloc(c->uc, &ctx->uc) != UC_ERR_OK) {
        free(ctx);
        return NULL;
    }
    return ctx;
}

void cpu_context_free(struct cpu_context *ctx)
{
    if (!ctx)
        return;
    uc_context_free(ctx->uc);
    free(ctx);
}

void cpu_context_save(struct cpu *c, struct cpu_context *ctx)
{
    uc_context_save(c->uc, ctx->uc);
}

void cpu_context_restore(struct cpu *c, const struct cpu_context *ctx)
{
    uc_context_restore(c->uc, ctx->uc);
}

uint64_t cpu_context_get(struct cpu_context *ctx, enum cpu_reg r)
{
    uint64_t v = 0;
    uc_context_reg_read(ctx->uc, uc_regs[r], &v);
    return v;
}

void cpu_context_set(struct cpu_context *ctx, enum cpu_reg r, uint64_t v)
{
    uc_context_reg_write(ctx->uc, uc_regs[r], &v);
}

/* FXSAVE's layout (Intel SDM vol. 1, 10.5.1), in 64-bit mode. */
#define FX_FCW 0
#define FX_FSW 2
#define FX_FTW 4
#define FX_FOP 6
#define FX_FIP 8
#define FX_FDP 16
#define FX_MXCSR 24
#define FX_MXCSR_MASK 28
#define FX_ST 32
#define FX_XMM 160
#define MXCSR_MASK 0xffff /* the bits this CPU lets MXCSR hold */

static void put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, sizeof(v));
}

static uint16_t get16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static uint64_t read_reg(struct cpu *c, int reg)
{
    uint64_t v = 0;
    uc_reg_read(c->uc, reg, &v);
    return v;
}

void cpu_fxsave(struct cpu *c, uint8_t buf[FXSAVE_SIZE])
{
    memset(buf, 0, FXSAVE_SIZE);
    put16(buf + FX_FCW, (uint16_t)read_reg(c, UC_X86_REG_FPCW));
    put16(buf + FX_FSW, (uint16_t)read_reg(c, UC_X86_REG_FPSW));
    /* The abridged tag: one bit per physical register, set unless empty (11). */
    uint16_t tag = (uint16_t)read_reg(c, UC_X86_REG_FPTAG);
    uint8_t ftw = 0;
    for (int i = 0; i < 8; i++)
        if (((tag >> (2 * i)) & 3) != 3)
            ftw |= (uint8_t)(1u << i);
    buf[FX_FTW] = ftw;
    put16(buf + FX_FOP, (uint16_t)read_reg(c, UC_X86_REG_FOP));
    uint64_t fip = read_reg(c, UC_X86_REG_FIP), fdp = read_reg(c, UC_X86_REG_FDP);
    memcpy(buf + FX_FIP, &fip, 8);
    memcpy(buf + FX_FDP, &fdp, 8);
    uint32_t mxcsr = (uint32_t)read_reg(c, UC_X86_REG_MXCSR), mask = MXCSR_MASK;
    memcpy(buf + FX_MXCSR, &mxcsr, 4);
    memcpy(buf + FX_MXCSR_MASK, &mask, 4);
    for (int i = 0; i < 8; i++)
        uc_reg_read(c->uc, UC_X86_REG_ST0 + i, buf + FX_ST + 16 * i); /* 10 bytes each */
    for (int i = 0; i < 16; i++)
        uc_reg_read(c->uc, UC_X86_REG_XMM0 + i, buf + FX_XMM + 16 * i);
}

void cpu_fxrstor(struct cpu *c, const uint8_t buf[FXSAVE_SIZE])
{
    uint16_t fcw = get16(buf + FX_FCW), fsw = get16(buf + FX_FSW), fop = get16(buf + FX_FOP);
    uint64_t fip, fdp;
    uint32_t mxcsr;
    memcpy(&fip, buf + FX_FIP, 8);
    memcpy(&fdp, buf + FX_FDP, 8);
    memcpy(&mxcsr, buf + FX_MXCSR, 4);
    mxcsr &= MXCSR_MASK;
    uc_reg_write(c->uc, UC_X86_REG_FPCW, &fcw);
    uc_reg_write(c->uc, UC_X86_REG_FPSW, &fsw);
    uc_reg_write(c->uc, UC_X86_REG_FOP, &fop);
    uc_reg_write(c->uc, UC_X86_REG_FIP, &fip);
    uc_reg_write(c->uc, UC_X86_REG_FDP, &fdp);
    uc_reg_write(c->uc, UC_X86_REG_MXCSR, &mxcsr);
    for (int i = 0; i < 8; i++)
        uc_reg_write(c->uc, UC_X86_REG_ST0 + i, buf + FX_ST + 16 * i);
    /* Back to the full tag word: a used register is "valid" (00), else empty (11). */
    uint16_t tag = 0;
    for (int i = 0; i < 8; i++)
        if (!(buf[FX_FTW] & (1u << i)))
            tag |= (uint16_t)(3u << (2 * i));
    uc_reg_write(c->uc, UC_X86_REG_FPTAG, &tag);
    for (int i = 0; i < 16; i++)
        uc_reg_write(c->uc, UC_X86_REG_XMM0 + i, buf + FX_XMM + 16 * i);
}

void cpu_fpu_init(struct cpu *c)
{
    uint8_t buf[FXSAVE_SIZE];
    memset(buf, 0, sizeof(buf));
    put16(buf + FX_FCW, 0x37f); /* all exceptions masked, double extended, round to nearest */
    uint32_t mxcsr = 0x1f80;    /* all SIMD exceptions masked, round to nearest */
    memcpy(buf + FX_MXCSR, &mxcsr, 4);
    cpu_fxrstor(c, buf);
}

/*
 * What execve leaves (start_thread, ELF_PLAT_INIT, the FPU reset): every
 * general register zero but rsp, no FS or GS base, rflags 0x202, x87 and
 * SSE as after fninit with all registers (x87, XMM and YMM) zero.
 */
bool cpu_start_thread(struct cpu *c, uint64_t ip, uint64_t sp)
{
    for (int r = 0; r < CPU_NR_REGS; r++)
        cpu_set(c, (enum cpu_reg)r, 0);
    uint8_t zero[32] = {0};
    for (int i = 0; i < 16; i++)
        if (uc_reg_write(c->uc, UC_X86_REG_YMM0 + i, zero) != UC_ERR_OK)
            return false;
    cpu_set(c, CPU_RFLAGS, RFLAGS_INIT);
    cpu_set(c, CPU_RSP, sp);
    cpu_set(c, CPU_RIP, ip);
    cpu_fpu_init(c);
    return true;
}

/*
 * Drop the code translated from frame pa. Unicorn finds code by virtual
 * address, so the probe maps a kernel address no guest can reach (va, one
 * of the PROBE_PAGES pages at PROBE_VA) to the frame for the while. Its
 * TLB entry stays: the caller flushes the TLB before it maps that page to
 * another frame, so a batch of frames uses a page each and one flush.
 */
#define PROBE_VA (ENTRY_STUB_VA + (2UL << 20))
#define PROBE_PAGES 1024UL

static void probe_remove(struct cpu *c, uint64_t va, uint64_t pa)
{
    c->probing = c->probe_fixed = true;
    c->probe_va = va;
    c->probe_pa = pa;
    uc_ctl_remove_cache(c->uc, va, va + PAGE_SIZE);
    c->probing = c->probe_fixed = false;
}

static void remove_frame_code(struct cpu *c, uint64_t pa)
{
    probe_remove(c, PROBE_VA, pa);
    flush_tlb(c);
}

/*
 * Drop every block translated so far. Unicorn's own way, emptying the
 * translation buffer (flush_translations), clears the whole 64 MiB buffer
 * with memset: about 10 ms of CPU, and all of it resident on the host from
 * then on. So the code goes frame by frame while there is little of it,
 * as when a program starts its first thread.
 */
static void drop_all_code(struct cpu *c)
{
    unsigned long n = 0, k = 0;
    for (unsigned long f = 0; f < c->nr_frames; f++)
        n += (c->frame_state[f] & FRAME_CODE) != 0;
    if (n > PROBE_PAGES) {
        flush_translations(c);
        return;
    }
    for (unsigned long f = 0; f < c->nr_frames && k < n; f++) {
        if (!(c->frame_state[f] & FRAME_CODE))
            continue;
        c->frame_state[f] &= (uint8_t)~FRAME_CODE;
        probe_remove(c, PROBE_VA + k++ * PAGE_SIZE, (uint64_t)f << PAGE_SHIFT);
    }
    flush_tlb(c);
}

/* The work a fill asked for, now that the CPU stopped. */
static void run_deferred(struct cpu *c)
{
    if (c->deferred_overflow) {
        flush_translations(c);
    } else if (c->nr_deferred) {
        for (unsigned int k = 0; k < c->nr_deferred; k++)
            probe_remove(c, PROBE_VA + k * PAGE_SIZE, c->deferred[k]);
        c->tlb_flush_deferred = true;
    }
    if (c->tlb_flush_deferred)
        flush_tlb(c);
    c->nr_deferred = 0;
    c->deferred_overflow = c->tlb_flush_deferred = false;
}

/*
 * Asked from a system call, inside a hook: flushing translations there
 * would pull the running block from under the CPU, so the hook goes in at
 * the start of the next run, with the CPU stopped.
 */
void cpu_enable_preemption(struct cpu *c)
{
    if (c->preempting || c->want_preempt)
        return;
    c->want_preempt = true;
    uc_emu_stop(c->uc);
}

static void start_preempting(struct cpu *c)
{
    c->want_preempt = false;
    if (uc_hook_add(c->uc, &c->block_hook, UC_HOOK_BLOCK, (void *)on_block, c, 1, 0) != UC_ERR_OK) {
        fprintf(stderr, "vmemu: cannot count guest blocks: tasks switch only in system calls\n");
        return;
    }
    /* Blocks translated before the hook was added would never call it. */
    drop_all_code(c);
    c->preempting = true;
}

bool cpu_preempting(const struct cpu *c)
{
    return c->preempting || c->want_preempt; /* the next run counts, either way */
}

uint64_t cpu_blocks_run(const struct cpu *c)
{
    return c->blocks;
}

bool cpu_quantum_expired(const struct cpu *c)
{
    return c->quantum_expired;
}

enum cpu_stop cpu_run(struct cpu *c, uint64_t pc, uint64_t quantum, struct cpu_fault *fault,
                      struct cpu_trap *trap)
{
    if (c->want_preempt)
        start_preempting(c);
    if (c->tcg_estimate >= TCG_FLUSH_AT)
        flush_translations(c);
    c->fault_pending = c->trap_pending = false;
    c->blocks = 0;
    c->quantum = quantum;
    c->quantum_expired = false;
    /* No 'until' address: one costs about 10 us per call. */
    c->last_err = uc_emu_start(c->uc, pc, 0, 0, 0);
    while (c->wx_pending || fill_deferred_work(c)) {
        if (!c->wx_pending) {
            /* A fault resolved in a fill asked for code to go: see on_tlb_fill. */
            run_deferred(c);
            c->last_err = uc_emu_start(c->uc, cpu_get(c, CPU_RIP), 0, 0, 0);
            continue;
        }
        /*
         * A store to a frame code was translated from: drop that code
         * (with the CPU stopped, RIP on the store), make the frame data,
         * and go on with the store.
         */
        c->wx_pending = false;
        uint64_t pa;
        unsigned int prot;
        if (mm_translate(c->mm, c->wx_page, MMU_READ, &pa, &prot) &&
            (pa >> PAGE_SHIFT) < c->nr_frames) {
            remove_frame_code(c, pa & PAGE_MASK);
            c->frame_state[pa >> PAGE_SHIFT] = 0;
        }
        c->last_err = uc_emu_start(c->uc, cpu_get(c, CPU_RIP), 0, 0, 0);
    }
    bool kernel_stop = c->kernel_stop;
    c->kernel_stop = false;
    if (c->fault_pending) {
        *fault = c->fault;
        fault->ip = cpu_get(c, CPU_RIP);
        return CPU_STOP_PAGE_FAULT;
    }
    if (kernel_stop && !c->trap_pending)
        return CPU_STOP_REQUESTED; /* RIP is on the access: it runs again */
    if (c->trap_pending) {
        *trap = c->trap;
        trap->ip = cpu_get(c, CPU_RIP);
        return CPU_STOP_TRAP;
    }
    if (c->last_err == UC_ERR_INSN_INVALID) {
        trap->vector = 6; /* #UD */
        trap->ip = cpu_get(c, CPU_RIP);
        return CPU_STOP_TRAP;
    }
    return c->last_err == UC_ERR_OK ? CPU_STOP_REQUESTED : CPU_STOP_ERROR;
}

void cpu_request_stop(struct cpu *c)
{
    uc_emu_stop(c->uc);
}

bool cpu_in_fill(const struct cpu *c)
{
    return c->in_fill;
}

/*
 * From a signal handler. In Unicorn 2.1.1 (uc.c, uc_priv.h, hw/core/cpu.c)
 * uc_emu_stop on an initialised engine only stores flags: stop_request,
 * then cpu_exit's exit_request, tcg_exit_req and icount_decr (what the
 * next translated block checks on entry); no lock, no allocation. It is
 * lost when it lands between the run loop's check and uc_emu_start's reset
 * of those flags, or outside emulation: the caller retries (hostsig.c).
 */
bool cpu_stop_current_async(void)
{
    struct cpu *c = current_cpu;
    if (!c || !c->uc)
        return false;
    uc_emu_stop(c->uc);
    return true;
}

const char *cpu_error(const struct cpu *c)
{
    return uc_strerror(c->last_err);
}

bool cpu_disasm(struct cpu *c, uint64_t ip, char *buf, unsigned int len)
{
    uint8_t code[16];
    size_t n = sizeof(code);
    /* Read what is mapped, without faulting anything in. */
    while (n > 0 && !task_peek_user(c->task, code, ip, n))
        n--;
    if (n == 0 || !capstone_ready(c))
        return false;
    cs_insn *insn;
    size_t count = c->cs->disasm(c->capstone, code, n, ip, 1, &insn);
    if (count == 0)
        return false;
    snprintf(buf, len, "%s%s%s", insn->mnemonic, insn->op_str[0] ? " " : "", insn->op_str);
    c->cs->free(insn, count);
    return true;
}

bool cpu_can_disasm(struct cpu *c)
{
    return capstone_ready(c);
}

/* A Capstone register's value, for the registers addresses are built from. */
static bool cs_reg_value(struct cpu *c, unsigned int reg, uint64_t next_ip, uint64_t *v)
{
    static const struct {
        unsigned int cs;
        enum cpu_reg r;
    } regs[] = {
        {X86_REG_RAX, CPU_RAX}, {X86_REG_RBX, CPU_RBX}, {X86_REG_RCX, CPU_RCX},
        {X86_REG_RDX, CPU_RDX}, {X86_REG_RSI, CPU_RSI}, {X86_REG_RDI, CPU_RDI},
        {X86_REG_RBP, CPU_RBP}, {X86_REG_RSP, CPU_RSP}, {X86_REG_R8, CPU_R8},
        {X86_REG_R9, CPU_R9},   {X86_REG_R10, CPU_R10}, {X86_REG_R11, CPU_R11},
        {X86_REG_R12, CPU_R12}, {X86_REG_R13, CPU_R13}, {X86_REG_R14, CPU_R14},
        {X86_REG_R15, CPU_R15},
    };
    if (reg == X86_REG_INVALID) {
        *v = 0;
        return true;
    }
    if (reg == X86_REG_RIP) {
        *v = next_ip;
        return true;
    }
    for (size_t i = 0; i < ARRAY_SIZE(regs); i++) {
        if (regs[i].cs == reg) {
            *v = cpu_get(c, regs[i].r);
            return true;
        }
    }
    return false;
}

/* Effective address of a memory operand, with an fs/gs base; false if unknown. */
static bool operand_address(struct cpu *c, const cs_x86_op *op, uint64_t next_ip, uint64_t *ea)
{
    uint64_t base, index;
    if (!cs_reg_value(c, op->mem.base, next_ip, &base) ||
        !cs_reg_value(c, op->mem.index, next_ip, &index))
        return false;
    *ea = base + index * (uint64_t)op->mem.scale + (uint64_t)op->mem.disp;
    if (op->mem.segment == X86_REG_FS)
        *ea += cpu_get(c, CPU_FS_BASE);
    else if (op->mem.segment == X86_REG_GS)
        *ea += cpu_get(c, CPU_GS_BASE);
    return true;
}

/* The byte of [ea, ea + size) that lies in page, if any. */
static bool hits_page(uint64_t ea, unsigned int size, uint64_t page, uint64_t *addr)
{
    uint64_t last = ea + (size ? size : 1) - 1;
    if ((ea & PAGE_MASK) == page) {
        *addr = ea;
        return true;
    }
    if ((last & PAGE_MASK) == page) {
        *addr = page; /* the access began on the page before */
        return true;
    }
    return false;
}

/* Implicit stack accesses: push and call store below rsp, pop and ret load at it. */
static bool stack_access(struct cpu *c, const cs_insn *insn, uint64_t page, uint64_t *addr)
{
    uint64_t rsp = cpu_get(c, CPU_RSP);
    switch (insn->id) {
    case X86_INS_PUSH:
    case X86_INS_CALL:
    case X86_INS_PUSHFQ:
        return hits_page(rsp - 8, 8, page, addr);
    case X86_INS_POP:
    case X86_INS_RET:
    case X86_INS_POPFQ:
        return hits_page(rsp, 8, page, addr);
    default:
        return false;
    }
}

uint64_t cpu_fault_address(struct cpu *c, const struct cpu_fault *f)
{
    uint64_t page = f->addr & PAGE_MASK, addr;
    if (f->flags & FAULT_FLAG_INSTRUCTION)
        return (f->ip & PAGE_MASK) == page ? f->ip : page;
    uint8_t code[16];
    size_t n = sizeof(code);
    while (n > 0 && !task_peek_user(c->task, code, f->ip, n))
        n--;
    cs_insn *insn;
    if (n == 0 || !capstone_ready(c) || c->cs->disasm(c->capstone, code, n, f->ip, 1, &insn) != 1)
        return page;
    uint64_t found = page;
    const cs_x86 *x = &insn->detail->x86;
    bool done = false;
    for (int i = 0; i < x->op_count && !done; i++) {
        uint64_t ea;
        if (x->operands[i].type == X86_OP_MEM &&
            operand_address(c, &x->operands[i], f->ip + insn->size, &ea))
            done = hits_page(ea, x->operands[i].size, page, &found);
    }
    if (!done && stack_access(c, insn, page, &addr))
        found = addr;
    c->cs->free(insn, 1);
    return found;
}

/* The arch hooks mm/ calls. */
/*
 * Only the mm the CPU walks can have entries in its TLB: any other mm's
 * are flushed when the CPU switches to it.
 */
void arch_flush_tlb_mm(struct mm_struct *mm)
{
    if (current_cpu && current_cpu->mm == mm)
        flush_tlb(current_cpu);
}

bool arch_tlb_may_hold(struct mm_struct *mm, unsigned long addr)
{
    const struct cpu *c = current_cpu;
    if (!c || c->mm != mm)
        return false; /* switching to mm flushes */
    unsigned long bit = tlb_filter_bit(addr);
    return c->tlb_filled[bit / 64] >> (bit % 64) & 1;
}

/*
 * Unicorn keeps a cache of translations by virtual address (its jump
 * cache) that only a TLB flush empties: a range that now maps other frames
 * must not find the old frames' code there. Another mm's ranges need
 * nothing: switching to it flushes.
 */
void arch_flush_code_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
    struct cpu *c = current_cpu;
    (void)start, (void)end;
    if (!c || c->mm != mm)
        return;
    if (c->in_fill)
        c->tlb_flush_deferred = true; /* the fill is refused: the run loop flushes */
    else
        flush_tlb(c);
}

/*
 * Translated code is kept by frame, across unmaps and processes (a page of
 * a program's text in the page cache is translated once however many
 * processes run it), and dropped only here: when the frame's content is
 * about to change under the CPU's nose or the frame goes back to the
 * allocator.
 */
void arch_frames_changing(unsigned long pfn, unsigned long nr)
{
    struct cpu *c = current_cpu;
    if (!c || !c->frame_state)
        return;
    for (unsigned long f = pfn; f < pfn + nr && f < c->nr_frames; f++) {
        if (!(c->frame_state[f] & FRAME_CODE))
            continue;
        c->frame_state[f] &= (uint8_t)~FRAME_CODE;
        uint64_t pa = (uint64_t)f << PAGE_SHIFT;
        if (!c->in_fill)
            remove_frame_code(c, pa);
        else if (c->nr_deferred == ARRAY_SIZE(c->deferred))
            c->deferred_overflow = true;
        else
            c->deferred[c->nr_deferred++] = pa;
    }
}
