/*
 * The emulated CPU: the one place vmemu talks to Unicorn.
 *
 * Unicorn runs in its virtual-TLB mode: on every TLB miss it calls
 * on_tlb_fill, which asks mm/'s page-table walk (mmu_translate) for the
 * frame and the rights. A refused access stops the CPU with RIP on the
 * faulting instruction; the task's run loop handles the fault and resumes
 * there. Guest RAM is registered once, at PHYS_BASE, and never again.
 */
#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "emu/cpu.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "mm/arch.h"
#include "mm/array_size.h"
#include "mm/fault.h"
#include "mm/mmzone.h"
#include "mm/uaccess.h"

/* Where the direct map of guest RAM sits in Unicorn's physical space. */
#define PHYS_BASE 0x4000000000ULL

struct cpu {
    uc_engine *uc;
    struct task *task;
    uc_hook fill_hook, syscall_hook, intr_hook;
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

static bool cpu_setup(struct cpu *c, const char **why)
{
    if (uc_open(UC_ARCH_X86, UC_MODE_64, &c->uc) != UC_ERR_OK) {
        *why = "cannot open the x86-64 emulator";
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
        uc_hook_add(c->uc, &c->intr_hook, UC_HOOK_INTR, (void *)on_interrupt, c, 1, 0)) {
        *why = "cannot install the emulator's hooks";
        return false;
    }
    c->cs_ok = cs_open(CS_ARCH_X86, CS_MODE_64, &c->capstone) == CS_ERR_OK &&
               cs_option(c->capstone, CS_OPT_DETAIL, CS_OPT_ON) == CS_ERR_OK;
    return true;
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

/* Per-task fault counts are the process kernel's to keep: nothing to charge yet. */
void arch_account_fault(struct mm_struct *mm, bool major)
{
    (void)mm, (void)major;
}

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
        if (c->nr_deferred == ARRAY_SIZE(c->deferred))
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
    for (unsigned long a = start & PAGE_MASK; a < end; a += PAGE_SIZE)
        if (mmu_peek(mm, a) & MMU_PROT_EXEC)
            uc_ctl_remove_cache(c->uc, a, a + PAGE_SIZE);
    c->probing = false;
}
