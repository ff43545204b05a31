/*
 * The emulated CPU: the one place vmemu talks to Unicorn.
 *
 * Unicorn runs in its virtual-TLB mode: on every TLB miss it calls
 * on_tlb_fill, which asks mm/'s page-table walk (mmu_translate) for the
 * frame and the rights. A refused access stops the CPU with RIP on the
 * faulting instruction; the task's run loop handles the fault and resumes
 * there. Guest RAM is registered once, at PHYS_BASE, and never again.
 * cpu_create leaves the CPU as Linux gives it to a new program: CPL 3,
 * user selectors, FPU after fninit, a CPU model whose CPUID promises only
 * what Unicorn's translator implements (docs/cpu.md).
 */
#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "emu/cpu.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "mm/arch.h"
#include "mm/fault.h"
#include "mm/pgtable.h"
#include "mm/uaccess.h"

/* Where the direct map of guest RAM sits in Unicorn's physical space. */
#define PHYS_BASE 0x4000000000ULL
/* Where the one-instruction stub that drops to user mode runs: no guest can map it. */
#define ENTRY_STUB_VA 0xfffffe0000000000ULL

struct cpu {
    uc_engine *uc;
    struct task *task;
    uc_hook fill_hook, syscall_hook, intr_hook, cpuid_hook;
    uint64_t entry_stub_pa; /* while entering user mode: the stub's frame, else 0 */
    csh capstone;
    bool cs_ok;
    bool fault_pending, trap_pending;
    bool probing; /* Unicorn is translating for itself (code removal): no fault */
    bool inline_faults;
    bool in_fill; /* inside on_tlb_fill: code removal must wait */
    unsigned int nr_deferred;
    bool deferred_overflow;
    uint64_t deferred[16][2]; /* code ranges to remove once the CPU stops */
    struct cpu_fault fault;
    struct cpu_trap trap;
    uc_err last_err;
};

/* The CPU that runs the current task: what the arch hooks act on. */
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

static void fill_entry(uc_tlb_entry *out, uint64_t pa, unsigned int prot)
{
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
    handle_mm_fault(c->task->mm, vaddr, access_to_flags(type), &r);
    c->in_fill = false;
    if (!fault_is_error(r.kind))
        return true;
    c->fault.handled = true;
    c->fault.kind = (int)r.kind;
    return false;
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
    if (mmu_translate(c->task->mm, vaddr, a, &pa, &prot)) {
        fill_entry(out, pa, prot);
        return true;
    }
    if (c->entry_stub_pa && (vaddr & PAGE_MASK) == ENTRY_STUB_VA) {
        out->paddr = PHYS_BASE + c->entry_stub_pa;
        out->perms = UC_PROT_READ | UC_PROT_EXEC;
        return true;
    }
    if (c->probing)
        return false;
    c->fault.handled = false;
    if (c->inline_faults && fault_inline(c, vaddr, type) &&
        mmu_translate(c->task->mm, vaddr, a, &pa, &prot)) {
        fill_entry(out, pa, prot);
        return true;
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
 * CPUID leaf 1 without RDRAND: Unicorn's RDRAND returns the host's random
 * bytes, which would make a run depend on more than its seed. Every other
 * leaf is the model's. Called only for the cpuid instruction.
 */
static int on_cpuid(uc_engine *uc, void *arg)
{
    (void)arg;
    uint64_t leaf = 0;
    uc_reg_read(uc, UC_X86_REG_RAX, &leaf);
    if ((uint32_t)leaf != 1)
        return 0; /* Unicorn answers */
    uint64_t v[4] = {CPUID1_EAX, CPUID1_EBX, CPUID1_ECX, CPUID1_EDX};
    int regs[4] = {UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX};
    for (int i = 0; i < 4; i++)
        uc_reg_write(uc, regs[i], &v[i]);
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

static bool reset_fpu(struct cpu *c)
{
    uint16_t fcw = 0x37f, fsw = 0, ftw = 0xffff; /* every tag 11: empty */
    uint32_t mxcsr = 0x1f80;
    const int ids[] = {UC_X86_REG_FPCW, UC_X86_REG_FPSW, UC_X86_REG_FPTAG, UC_X86_REG_MXCSR};
    void *const vals[] = {&fcw, &fsw, &ftw, &mxcsr};
    return write_regs(c->uc, ids, vals, 4);
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
    uc_ctl_flush_tlb(c->uc);
    __free_page(stub);
    uint16_t cs = 0;
    uc_reg_read(c->uc, UC_X86_REG_CS, &cs);
    /* rcx and r11 hold what sysretq used: cpu_start_thread clears them. */
    return cs == USER_CS && cpu_get(c, CPU_RIP) == landing && cpu_get(c, CPU_RFLAGS) == RFLAGS_INIT;
}

static bool cpu_setup(struct cpu *c, const char **why)
{
    if (uc_open(UC_ARCH_X86, UC_MODE_64, &c->uc) != UC_ERR_OK) {
        *why = "cannot open the x86-64 emulator";
        return false;
    }
    if (uc_ctl_set_cpu_model(c->uc, CPU_MODEL) != UC_ERR_OK) {
        *why = "the emulator lacks the Skylake-Client CPU model";
        return false;
    }
    if (uc_ctl_tlb_mode(c->uc, UC_TLB_VIRTUAL) != UC_ERR_OK) {
        *why = "Unicorn has no virtual TLB mode (needs 2.1 or newer)";
        return false;
    }
    if (uc_mem_map_ptr(c->uc, PHYS_BASE, phys_ram_bytes(), UC_PROT_ALL, direct_map) != UC_ERR_OK) {
        *why = "cannot register guest RAM with the emulator";
        return false;
    }
    if (uc_hook_add(c->uc, &c->fill_hook, UC_HOOK_TLB_FILL, (void *)on_tlb_fill, c, 1, 0) ||
        uc_hook_add(c->uc, &c->syscall_hook, UC_HOOK_INSN, (void *)on_syscall, c, 1, 0,
                    UC_X86_INS_SYSCALL) ||
        uc_hook_add(c->uc, &c->intr_hook, UC_HOOK_INTR, (void *)on_interrupt, c, 1, 0) ||
        uc_hook_add(c->uc, &c->cpuid_hook, UC_HOOK_INSN, (void *)on_cpuid, c, 1, 0,
                    UC_X86_INS_CPUID)) {
        *why = "cannot install the emulator's hooks";
        return false;
    }
    if (!enter_user_mode(c) || !cpu_start_thread(c, 0, 0)) {
        *why = "cannot put the emulated CPU in its user-mode start state";
        return false;
    }
    c->cs_ok = cs_open(CS_ARCH_X86, CS_MODE_64, &c->capstone) == CS_ERR_OK &&
               cs_option(c->capstone, CS_OPT_DETAIL, CS_OPT_ON) == CS_ERR_OK;
    return true;
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
    for (int i = 0; i < 8; i++)
        if (uc_reg_write(c->uc, UC_X86_REG_FP0 + i, zero) != UC_ERR_OK)
            return false;
    for (int i = 0; i < 16; i++)
        if (uc_reg_write(c->uc, UC_X86_REG_YMM0 + i, zero) != UC_ERR_OK)
            return false;
    cpu_set(c, CPU_RFLAGS, RFLAGS_INIT);
    cpu_set(c, CPU_RSP, sp);
    cpu_set(c, CPU_RIP, ip);
    return reset_fpu(c);
}

struct cpu *cpu_create(struct task *task, const char **why)
{
    struct cpu *c = calloc(1, sizeof(*c));
    if (!c) {
        *why = "out of memory";
        return NULL;
    }
    c->task = task;
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
    if (c->cs_ok)
        cs_close(&c->capstone);
    if (c->uc)
        uc_close(c->uc);
    free(c);
}

void cpu_set_inline_faults(struct cpu *c, bool on)
{
    c->inline_faults = on;
}

static void remove_code(struct cpu *c, struct mm_struct *mm, unsigned long start,
                        unsigned long end);

/* Code removal asked for inside the fill hook, done now that the CPU stopped. */
static void run_deferred(struct cpu *c)
{
    if (c->deferred_overflow)
        uc_ctl_flush_tb(c->uc);
    else
        for (unsigned int k = 0; k < c->nr_deferred; k++)
            remove_code(c, c->task->mm, c->deferred[k][0], c->deferred[k][1]);
    c->nr_deferred = 0;
    c->deferred_overflow = false;
}

enum cpu_stop cpu_run(struct cpu *c, uint64_t pc, struct cpu_fault *fault, struct cpu_trap *trap)
{
    c->fault_pending = c->trap_pending = false;
    /* No 'until' address: one costs about 10 us per call. */
    c->last_err = uc_emu_start(c->uc, pc, 0, 0, 0);
    if (c->nr_deferred || c->deferred_overflow)
        run_deferred(c);
    if (c->fault_pending) {
        *fault = c->fault;
        fault->ip = cpu_get(c, CPU_RIP);
        return CPU_STOP_PAGE_FAULT;
    }
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
    if (!c->cs_ok || n == 0)
        return false;
    cs_insn *insn;
    size_t count = cs_disasm(c->capstone, code, n, ip, 1, &insn);
    if (count == 0)
        return false;
    snprintf(buf, len, "%s%s%s", insn->mnemonic, insn->op_str[0] ? " " : "", insn->op_str);
    cs_free(insn, count);
    return true;
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
    for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
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
    if (!c->cs_ok || n == 0 || cs_disasm(c->capstone, code, n, f->ip, 1, &insn) != 1)
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
    cs_free(insn, 1);
    return found;
}

/* The arch hooks mm/ calls. */
void arch_flush_tlb_mm(struct mm_struct *mm)
{
    (void)mm;
    if (current_cpu)
        uc_ctl_flush_tlb(current_cpu->uc);
}

/*
 * Unicorn removes cached code by translating the start of the range and
 * invalidating that physical range, so go a page at a time, and only for
 * pages the CPU could have run: present and executable.
 */
void arch_flush_code_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
    struct cpu *c = current_cpu;
    if (!c)
        return;
    if (c->in_fill) {
        /* Translating inside a fill would nest fills: defer to the run loop. */
        if (c->nr_deferred == sizeof(c->deferred) / sizeof(c->deferred[0]))
            c->deferred_overflow = true;
        else
            c->deferred[c->nr_deferred][0] = start, c->deferred[c->nr_deferred++][1] = end;
        uc_emu_stop(c->uc);
        return;
    }
    remove_code(c, mm, start, end);
}

static void remove_code(struct cpu *c, struct mm_struct *mm, unsigned long start, unsigned long end)
{
    c->probing = true;
    for (unsigned long a = start & PAGE_MASK; a < end; a += PAGE_SIZE) {
        pte_t *pte = pte_lookup(mm, a);
        if (pte && (*pte & _PAGE_PRESENT) && !(*pte & _PAGE_NX))
            uc_ctl_remove_cache(c->uc, a, a + PAGE_SIZE);
    }
    c->probing = false;
}
