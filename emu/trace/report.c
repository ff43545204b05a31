/* Reports on stderr: a dying guest's signal, and the summary at exit. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/trace/report.h"
#include "emu/trace/symbols.h"
#include "emu/kernel/exit.h"
#include "emu/kernel/task.h"
#include "mm/fault.h"
#include "mm/fs.h"
#include "mm/mmap.h"
#include "mm/mmzone.h"
#include "mm/swap.h"
#include "mm/vmstat.h"

/* Linux's print_vma_addr: " in file[start+size]" when ip is in a file mapping. */
static void print_vma_addr(struct task *t, uint64_t ip)
{
    struct vm_area_struct *vma = find_vma(t->mm, ip);
    char name[256];
    if (vma && vma->vm_start <= ip && vma->vm_file)
        fprintf(stderr, " in %s[%lx+%lx]", vma_name(vma, name, sizeof(name), true), vma->vm_start,
                vma->vm_end - vma->vm_start);
}

/* x86 page-fault error code: P, W, U and I bits. */
unsigned long report_fault_error_code(struct task *t, const struct cpu_fault *f)
{
    unsigned long code = 4; /* user mode */
    if (mmu_peek(t->mm, f->addr))
        code |= 1;
    if (f->flags & FAULT_FLAG_WRITE)
        code |= 2;
    if (f->flags & FAULT_FLAG_INSTRUCTION)
        code |= 16;
    return code;
}

/* One line of the map, as /proc/self/maps names it; mark is "* " for the mapping holding the
 * address. */
static void print_vma_line(const struct vm_area_struct *vma, const char *mark)
{
    char perms[5], name[4096];
    fprintf(stderr, "vmemu: %2s%08lx-%08lx %s %08lx %s\n", mark, vma->vm_start, vma->vm_end,
            vma_perms(vma->vm_flags, perms),
            vma->vm_file ? (unsigned long)vma->vm_pgoff << PAGE_SHIFT : 0,
            vma_name(vma, name, sizeof(name), false));
}

/* The mappings just below and above addr, and the one holding it. */
static void print_map_around(struct task *t, uint64_t addr)
{
    struct vm_area_struct *next = find_vma(t->mm, addr), *prev = NULL, *v;
    for (v = find_vma(t->mm, 0); v && v != next; v = vma_next(t->mm, v))
        prev = v;
    bool inside = next && next->vm_start <= addr;
    fprintf(stderr, "vmemu: %#lx is %s; mappings around it:\n", (unsigned long)addr,
            inside ? "inside the mapping marked *" : "in no mapping");
    if (prev)
        print_vma_line(prev, "");
    if (!inside)
        fprintf(stderr, "vmemu:   %08lx <- fault address\n", (unsigned long)addr);
    if (next) {
        print_vma_line(next, inside ? "* " : "");
        if ((v = vma_next(t->mm, next)) != NULL)
            print_vma_line(v, "");
    }
}

static void print_instruction(struct task *t, uint64_t ip)
{
    char insn[128];
    struct symbol_info sym;
    if (cpu_disasm(t->cpu, ip, insn, sizeof(insn)))
        fprintf(stderr, "vmemu: faulting instruction: %#lx: %s\n", (unsigned long)ip, insn);
    else if (!cpu_can_disasm(t->cpu))
        fprintf(stderr, "vmemu: faulting instruction at %#lx: not decoded (no disassembler)\n",
                (unsigned long)ip);
    else
        fprintf(stderr, "vmemu: faulting instruction at %#lx cannot be read\n", (unsigned long)ip);
    if (symbolize(t->mm, ip, &sym))
        fprintf(stderr, "vmemu: in %s%s%s\n", sym.func[0] ? sym.func : "?",
                sym.line[0] ? " at " : "", sym.line);
}

void report_fault_signal(struct task *t, int sig, const struct cpu_fault *f)
{
    uint64_t sp = cpu_get(t->cpu, CPU_RSP);
    uint64_t addr = cpu_fault_address(t->cpu, f);
    if (sig == SIGSEGV) {
        fprintf(stderr, "%s[%d]: segfault at %lx ip %016lx sp %016lx error %lx", t->comm, t->tgid,
                (unsigned long)addr, (unsigned long)f->ip, (unsigned long)sp,
                report_fault_error_code(t, f));
        print_vma_addr(t, f->ip);
        fputc('\n', stderr);
    } else {
        fprintf(stderr, "%s[%d]: %s at %lx ip %016lx sp %016lx\n", t->comm, t->tgid, strsignal(sig),
                (unsigned long)addr, (unsigned long)f->ip, (unsigned long)sp);
    }
    print_instruction(t, f->ip);
    print_map_around(t, addr);
}

void report_trap_signal(struct task *t, int sig, const struct cpu_trap *trap)
{
    const char *what = sig == SIGFPE    ? "trap divide error"
                       : sig == SIGILL  ? "trap invalid opcode"
                       : sig == SIGTRAP ? "trap int3"
                                        : "general protection fault";
    fprintf(stderr, "%s[%d] %s ip:%lx sp:%lx error:0", t->comm, t->tgid, what,
            (unsigned long)trap->ip, (unsigned long)cpu_get(t->cpu, CPU_RSP));
    print_vma_addr(t, trap->ip);
    fputc('\n', stderr);
    print_instruction(t, trap->ip);
}

unsigned long report_pgalloc_total(void)
{
    return nr_pages_allocated();
}

/* The page cache's counters since start: hits, misses, I/O, dirtying, writeback. */
static void report_pagecache(void)
{
    struct vm_counts c;
    vm_counts_collect(&c);
    fprintf(stderr,
            "vmemu: page cache: %lu hits, %lu misses, %lu pages read (%lu read ahead), "
            "%lu dirtied, %lu written back\n",
            c.events[PGCACHE_HIT], c.events[PGCACHE_MISS], c.events[PGPGIN] >> (PAGE_SHIFT - 10),
            c.events[PGREADAHEAD], c.node[NR_DIRTIED], c.node[NR_WRITTEN]);
}

/*
 * When memory ran short: what reclaim scanned and freed (by kswapd and by
 * allocations themselves), what went to swap and came back, and the OOM
 * killer's victims. Nothing when reclaim never ran.
 */
static void report_reclaim(void)
{
    struct vm_counts c;
    vm_counts_collect(&c);
    unsigned long *e = c.events;
    unsigned long stalls = e[ALLOCSTALL_DMA] + e[ALLOCSTALL_DMA32] + e[ALLOCSTALL_NORMAL];
    if (e[PGSCAN_KSWAPD] + e[PGSCAN_DIRECT] + e[OOM_KILL] + e[PSWPOUT] + e[PSWPIN] == 0)
        return;
    fprintf(stderr,
            "vmemu: reclaim: %lu pages scanned, %lu freed (kswapd %lu in %lu runs, direct %lu "
            "in %lu stalls), %lu file refaults\n",
            e[PGSCAN_KSWAPD] + e[PGSCAN_DIRECT], e[PGSTEAL_KSWAPD] + e[PGSTEAL_DIRECT],
            e[PGSTEAL_KSWAPD], e[PAGEOUTRUN], e[PGSTEAL_DIRECT], stalls,
            c.node[WORKINGSET_REFAULT_FILE]);
    if (total_swap_pages() || e[PSWPOUT])
        fprintf(stderr,
                "vmemu: swap: %lu pages out, %lu in (%lu read ahead), %lu anon refaults, "
                "at most %lu of %lu KiB used\n",
                e[PSWPOUT], e[PSWPIN], e[SWAP_RA], c.node[WORKINGSET_REFAULT_ANON],
                swap_peak_pages() << (PAGE_SHIFT - 10), total_swap_pages() << (PAGE_SHIFT - 10));
    if (e[OOM_KILL])
        fprintf(stderr, "vmemu: oom killer: %lu process%s killed\n", e[OOM_KILL],
                e[OOM_KILL] == 1 ? "" : "es");
}

static unsigned long pgalloc_start;

void report_mark_start(void)
{
    pgalloc_start = report_pgalloc_total();
}

static void add_faults(struct fault_stats *d, const struct fault_stats *s)
{
    d->min_flt += s->min_flt, d->maj_flt += s->maj_flt, d->zero_page += s->zero_page;
    d->anon_new += s->anon_new, d->file_pages += s->file_pages, d->cow += s->cow;
    d->fault_around += s->fault_around, d->readahead += s->readahead, d->segv += s->segv;
}

/* A process's end as a shell would put it: "status 3", "signal 9 (Killed)". */
static void describe_status(int wait_status, char *buf, size_t len)
{
    if (wait_status & 0x7f)
        snprintf(buf, len, "signal %d (%s)", wait_status & 0x7f, strsignal(wait_status & 0x7f));
    else
        snprintf(buf, len, "status %d", (wait_status >> 8) & 0xff);
}

void report_summary(int status, double wall)
{
    unsigned int n;
    const struct exit_record *r = exit_records(&n);
    struct fault_stats s;
    memset(&s, 0, sizeof(s));
    unsigned long peak = 0;
    for (unsigned int i = 0; i < n; i++) {
        add_faults(&s, &r[i].faults);
        if (r[i].hiwater_rss > peak)
            peak = r[i].hiwater_rss;
    }
    int threads = 0;
    for (unsigned int i = 0; i < n; i++)
        threads += r[i].threads;
    fprintf(stderr,
            "vmemu: %s exited with status %d\n"
            "vmemu: faults: %lu minor, %lu major (zero-page %lu, anon %lu, file %lu, cow %lu)\n"
            "vmemu: pages mapped by fault-around: %lu, read ahead: %lu\n"
            "vmemu: pages allocated: %lu, peak resident: %lu pages, wall time: %.3f s\n",
            n ? r[0].comm : "?", status, s.min_flt, s.maj_flt, s.zero_page, s.anon_new,
            s.file_pages, s.cow, s.fault_around, s.readahead,
            report_pgalloc_total() - pgalloc_start, peak, wall);
    if (threads > (int)n)
        fprintf(stderr, "vmemu: %d threads in %u process%s\n", threads, n, n == 1 ? "" : "es");
    if (n > 1) {
        fprintf(stderr, "vmemu: %u processes:\n", n);
        for (unsigned int i = 0; i < n; i++) {
            char how[64];
            describe_status(r[i].status, how, sizeof(how));
            fprintf(stderr,
                    "vmemu:   %d %-15s ppid %d, %s, %lu minor, %lu major faults, peak %lu pages\n",
                    r[i].pid, r[i].comm, r[i].ppid, how, r[i].faults.min_flt, r[i].faults.maj_flt,
                    r[i].hiwater_rss);
        }
    }
    report_pagecache();
    report_reclaim();
}
