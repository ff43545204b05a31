/*
 * Trace events. Text lines start with "#SEQ [PID] TYPE"; JSON Lines carry
 * the same fields under stable names, and the event's virtual time
 * (docs/tracing.md is the schema). Addresses are hex strings in JSON so
 * that 64-bit values survive any JSON reader. File names are base names,
 * so traces do not depend on where files live. Every public function
 * hands the event to each tracer of the chain in turn.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "emu/cpu.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "emu/trace/memstat.h"
#include "emu/trace/strace.h"
#include "emu/trace/symbols.h"
#include "emu/trace/trace.h"
#include "mm/array_size.h"
#include "mm/fault.h"
#include "mm/fs.h"
#include "mm/mmap.h"
#include "mm/pagemap.h"
#include "mm/swap.h"

#define MAX_CHANGES 64

/*
 * A VMA change, kept until the system call's line is printed. A file's
 * name, and the name of a VMA going away, are taken at once; any other
 * VMA is named when the line is printed, as /proc/self/maps names it once
 * the call is done (the heap a brk grew, the stack execve set up).
 */
struct vma_change {
    enum vma_event ev;
    unsigned long start, end, flags, pgoff;
    const char *special; /* vm_name */
    bool named;
    char name[64];
};

#define MAX_IN_CALL 64 /* tasks whose system call start time is kept at once */

struct tracer {
    FILE *out;
    unsigned int cats;
    unsigned int chain_cats; /* of this tracer and every one behind it */
    bool jsonl;
    unsigned long seq;
    struct vma_change changes[MAX_CHANGES];
    unsigned int nchanges, dropped;
    struct tracer *next;
    struct strace_call call;  /* the syscall event being written */
    struct strace_call entry; /* arguments decoded when the call started (execve's) */
    int entry_tid;            /* whose they are; 0 for none */
    struct {
        int tid;
        uint64_t ns;
    } in_call[MAX_IN_CALL]; /* when each task's current system call started */
    char *argv0;            /* the first program as the command line named it */
};

/* The calls whose VMA changes the mm category reports. */
static const char *const syscall_names_short[] = {
    [SYS_mmap] = "mmap",       [SYS_mprotect] = "mprotect", [SYS_munmap] = "munmap",
    [SYS_brk] = "brk",         [SYS_mremap] = "mremap",     [SYS_msync] = "msync",
    [SYS_mincore] = "mincore", [SYS_madvise] = "madvise",   [SYS_execve] = "execve",
};

int trace_parse_categories(const char *list, unsigned int *cats, const char **bad)
{
    static const struct {
        const char *name;
        unsigned int bit;
    } names[] = {
        {"fault", TRACE_FAULT},         {"mm", TRACE_MM},           {"syscall", TRACE_SYSCALL},
        {"pagecache", TRACE_PAGECACHE}, {"proc", TRACE_PROC},       {"access", TRACE_ACCESS},
        {"memory", TRACE_MEMORY},       {"reclaim", TRACE_RECLAIM}, {"all", TRACE_ALL}};
    static char culprit[64];
    *cats = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        bool found = false;
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
            if (strlen(names[i].name) == n && strncmp(p, names[i].name, n) == 0) {
                *cats |= names[i].bit;
                found = true;
            }
        }
        if (!found) {
            snprintf(culprit, sizeof(culprit), "%.*s", (int)n, p);
            *bad = culprit;
            return -1;
        }
        p += n + (p[n] == ',');
    }
    return 0;
}

struct tracer *trace_open(FILE *out, unsigned int cats, bool jsonl)
{
    struct tracer *tr = calloc(1, sizeof(*tr));
    if (tr) {
        tr->out = out;
        tr->cats = tr->chain_cats = cats;
        tr->jsonl = jsonl;
        strace_call_init(&tr->call);
        strace_call_init(&tr->entry);
    }
    return tr;
}

struct tracer *trace_chain(struct tracer *tr, struct tracer *next)
{
    if (!tr)
        return next;
    struct tracer *last = tr;
    while (last->next)
        last = last->next;
    last->next = next;
    for (struct tracer *t = tr; t != next; t = t->next)
        t->chain_cats |= next ? next->chain_cats : 0;
    return tr;
}

void trace_close(struct tracer *tr)
{
    while (tr) {
        struct tracer *next = tr->next;
        fflush(tr->out);
        strace_call_free(&tr->call);
        strace_call_free(&tr->entry);
        free(tr->argv0);
        free(tr);
        tr = next;
    }
}

bool trace_wants(const struct tracer *tr, unsigned int cat)
{
    return tr && (tr->chain_cats & cat);
}

/* This tracer itself (not the chain) takes events of cat. */
static bool wants(const struct tracer *tr, unsigned int cat)
{
    return tr->cats & cat;
}

#define for_each_tracer(tr, cat)                                                                   \
    for (; (tr); (tr) = (tr)->next)                                                                \
        if (wants((tr), (cat)))

/* Who an event is about: "[pid]", or "[pid/tid]" for a thread that is not the leader. */
static void who_text(FILE *out, const struct task *t)
{
    if (!t)
        fputs(" [0]", out);
    else if (t->pid == t->tgid)
        fprintf(out, " [%d]", t->tgid);
    else
        fprintf(out, " [%d/%d]", t->tgid, t->pid);
}

/* The fields every event starts with: seq, type, pid, tid, and in JSON the time. */
static void event_begin(struct tracer *tr, const struct task *t, const char *type)
{
    tr->seq++;
    if (tr->jsonl) {
        fprintf(tr->out, "{\"seq\":%lu,\"type\":\"%s\",\"pid\":%d,\"tid\":%d,\"t\":%" PRIu64,
                tr->seq, type, t ? t->tgid : 0, t ? t->pid : 0, sched_clock_ns());
        return;
    }
    fprintf(tr->out, "#%lu", tr->seq);
    who_text(tr->out, t);
    fprintf(tr->out, " %s", type);
}

void trace_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* What /proc/self/maps calls the VMA, a file by its base name only (so traces do not depend on
 * where files live). */
static const char *vma_label(const struct vm_area_struct *vma, char *buf, size_t len)
{
    return vma_name(vma, buf, len, true);
}

static const char *access_name(unsigned int flags)
{
    if (flags & FAULT_FLAG_WRITE)
        return "write";
    return flags & FAULT_FLAG_INSTRUCTION ? "exec" : "read";
}

static void fault_vma_json(struct tracer *tr, const struct vm_area_struct *vma)
{
    char name[64], prot[5];
    if (!vma) {
        fputs("null", tr->out);
        return;
    }
    vma_label(vma, name, sizeof(name));
    fprintf(tr->out,
            "{\"start\":\"0x%lx\",\"end\":\"0x%lx\",\"prot\":\"%s\",\"name\":", vma->vm_start,
            vma->vm_end, vma_perms(vma->vm_flags, prot));
    trace_json_string(tr->out, name);
    fprintf(tr->out, ",\"offset\":\"0x%lx\"}", vma->vm_file ? vma->vm_pgoff << PAGE_SHIFT : 0UL);
}

/* What a fault event says about the instruction, computed once for the whole chain. */
struct fault_site {
    char insn[128];
    struct symbol_info sym;
};

static void fault_one(struct tracer *tr, struct task *t, uint64_t ip, unsigned long addr,
                      unsigned int flags, const struct fault_result *r, const char *via,
                      const struct fault_site *site)
{
    /* A vma pointer in the result may be gone after a failed stack growth. */
    const struct vm_area_struct *vma = fault_is_error(r->kind) ? NULL : r->vma;
    event_begin(tr, t, "fault");
    if (tr->jsonl) {
        fprintf(tr->out, ",\"ip\":\"0x%" PRIx64 "\",\"insn\":", ip);
        trace_json_string(tr->out, site->insn);
        fputs(",\"func\":", tr->out);
        if (site->sym.func[0])
            trace_json_string(tr->out, site->sym.func);
        else
            fputs("null", tr->out);
        fputs(",\"line\":", tr->out);
        if (site->sym.line[0])
            trace_json_string(tr->out, site->sym.line);
        else
            fputs("null", tr->out);
        fprintf(tr->out, ",\"addr\":\"0x%lx\",\"access\":\"%s\",\"via\":", addr,
                access_name(flags));
        if (via)
            trace_json_string(tr->out, via);
        else
            fputs("null", tr->out);
        fputs(",\"vma\":", tr->out);
        fault_vma_json(tr, vma);
        fprintf(tr->out,
                ",\"kind\":\"%s\",\"major\":%s,\"pfn\":%lu,\"around\":%u,\"readahead\":%u}\n",
                fault_kind_name(r->kind), r->major ? "true" : "false",
                fault_is_error(r->kind) ? 0UL : r->pfn, r->around, r->readahead);
        return;
    }
    fprintf(tr->out, " %-10s %s 0x%lx ip=0x%" PRIx64 " (%s)", fault_kind_name(r->kind),
            access_name(flags), addr, ip, site->insn);
    if (site->sym.func[0])
        fprintf(tr->out, " in %s", site->sym.func);
    if (site->sym.line[0])
        fprintf(tr->out, " at %s", site->sym.line);
    if (via)
        fprintf(tr->out, " via %s", via);
    if (vma) {
        char name[64], prot[5];
        fprintf(tr->out, " vma=%lx-%lx %s", vma->vm_start, vma->vm_end,
                vma_perms(vma->vm_flags, prot));
        if (*vma_label(vma, name, sizeof(name)))
            fprintf(tr->out, " %s", name);
        fprintf(tr->out, " pfn=0x%lx", r->pfn);
    }
    if (r->around)
        fprintf(tr->out, " around=%u", r->around);
    if (r->readahead)
        fprintf(tr->out, " readahead=%u", r->readahead);
    fputc('\n', tr->out);
}

void trace_fault(struct tracer *tr, struct task *t, uint64_t ip, unsigned long addr,
                 unsigned int flags, const struct fault_result *r, const char *via)
{
    if (!trace_wants(tr, TRACE_FAULT))
        return;
    struct fault_site site;
    if (!cpu_disasm(t->cpu, ip, site.insn, sizeof(site.insn)))
        snprintf(site.insn, sizeof(site.insn), "?");
    /* Only the program's own instruction: a fault during exec or a copy has no function. */
    if (!ip || !symbolize(t->mm, ip, &site.sym))
        site.sym.func[0] = site.sym.line[0] = '\0';
    for_each_tracer(tr, TRACE_FAULT) fault_one(tr, t, ip, addr, flags, r, via, &site);
}

static void vma_change_one(struct tracer *tr, enum vma_event ev, const struct vm_area_struct *vma)
{
    if (tr->nchanges == MAX_CHANGES) {
        tr->dropped++;
        return;
    }
    struct vma_change *c = &tr->changes[tr->nchanges++];
    c->ev = ev;
    c->start = vma->vm_start;
    c->end = vma->vm_end;
    c->flags = vma->vm_flags;
    c->pgoff = vma->vm_file ? vma->vm_pgoff : 0;
    c->special = vma->vm_name;
    c->named = vma->vm_file || ev == VMA_REMOVED;
    if (c->named)
        vma_label(vma, c->name, sizeof(c->name));
}

void trace_vma_change(struct tracer *tr, struct task *t, enum vma_event ev,
                      const struct vm_area_struct *vma)
{
    (void)t; /* the changes go out with the call's record, which names the task */
    for_each_tracer(tr, TRACE_MM) vma_change_one(tr, ev, vma);
}

static const char *const vma_event_names[] = {
    [VMA_CREATED] = "created", [VMA_REMOVED] = "removed", [VMA_SPLIT] = "split",
    [VMA_MERGED] = "merged",   [VMA_CHANGED] = "changed",
};

static void changes_out(struct tracer *tr, struct task *t)
{
    for (unsigned int i = 0; i < tr->nchanges; i++) {
        struct vma_change *c = &tr->changes[i];
        if (!c->named) {
            struct vm_area_struct v = {.vm_start = c->start,
                                       .vm_end = c->end,
                                       .vm_flags = c->flags,
                                       .vm_mm = t->mm,
                                       .vm_name = c->special};
            vma_label(&v, c->name, sizeof(c->name));
        }
        char prot[5];
        vma_perms(c->flags, prot);
        if (tr->jsonl) {
            fprintf(tr->out,
                    "%s{\"op\":\"%s\",\"start\":\"0x%lx\",\"end\":\"0x%lx\",\"prot\":\"%s\","
                    "\"name\":",
                    i ? "," : "", vma_event_names[c->ev], c->start, c->end, prot);
            trace_json_string(tr->out, c->name);
            fprintf(tr->out, ",\"offset\":\"0x%lx\"}", c->pgoff << PAGE_SHIFT);
        } else {
            fprintf(tr->out, "%s %s %lx-%lx %s%s%s", i ? ";" : " |", vma_event_names[c->ev],
                    c->start, c->end, prot, c->name[0] ? " " : "", c->name);
        }
    }
}

static bool is_mm_call(uint64_t nr)
{
    return nr < ARRAY_SIZE(syscall_names_short) && syscall_names_short[nr];
}

static int mm_call_nargs(uint64_t nr)
{
    switch (nr) {
    case SYS_execve:
        return 0; /* the program's own mappings, made by the loader */
    case SYS_brk:
        return 1;
    case SYS_munmap:
        return 2;
    case SYS_mprotect:
    case SYS_msync:
    case SYS_mincore:
    case SYS_madvise:
        return 3;
    case SYS_mremap:
        return 5;
    default:
        return 6; /* mmap */
    }
}

static void mm_event(struct tracer *tr, struct task *t, uint64_t nr, const uint64_t a[6], long ret)
{
    const char *name = syscall_names_short[nr];
    int n = mm_call_nargs(nr);
    event_begin(tr, t, "mm");
    if (tr->jsonl) {
        fprintf(tr->out, ",\"call\":\"%s\",\"args\":[", name);
        for (int i = 0; i < n; i++)
            fprintf(tr->out, "%s\"0x%" PRIx64 "\"", i ? "," : "", a[i]);
        fprintf(tr->out, "],\"result\":\"%s0x%lx\",\"changes\":[", ret < 0 ? "-" : "",
                ret < 0 ? (unsigned long)-ret : (unsigned long)ret);
        changes_out(tr, t);
        fprintf(tr->out, "],\"dropped\":%u}\n", tr->dropped);
    } else {
        fprintf(tr->out, " %s(", name);
        for (int i = 0; i < n; i++)
            fprintf(tr->out, "%s0x%" PRIx64, i ? ", " : "", a[i]);
        if (ret < 0)
            fprintf(tr->out, ") = -%ld", -ret);
        else
            fprintf(tr->out, ") = 0x%lx", (unsigned long)ret);
        changes_out(tr, t);
        if (tr->dropped)
            fprintf(tr->out, " (+%u more changes)", tr->dropped);
        fputc('\n', tr->out);
    }
}

/* ---- system calls ------------------------------------------------------------------------ */

/* Remember when t's call started; forget a call it never finished. */
static void call_started(struct tracer *tr, int tid, uint64_t now)
{
    int free_slot = -1;
    for (int i = 0; i < MAX_IN_CALL; i++) {
        if (tr->in_call[i].tid == tid) {
            tr->in_call[i].ns = now;
            return;
        }
        if (!tr->in_call[i].tid && free_slot < 0)
            free_slot = i;
    }
    if (free_slot >= 0)
        tr->in_call[free_slot].tid = tid, tr->in_call[free_slot].ns = now;
}

/* How long t's call took on the virtual clock (its sleeps included); 0 if unknown. */
static uint64_t call_ended(struct tracer *tr, int tid, uint64_t now)
{
    for (int i = 0; i < MAX_IN_CALL; i++) {
        if (tr->in_call[i].tid == tid) {
            tr->in_call[i].tid = 0;
            return now >= tr->in_call[i].ns ? now - tr->in_call[i].ns : 0;
        }
    }
    return 0;
}

static void syscall_enter_one(struct tracer *tr, struct task *t, uint64_t nr, const uint64_t a[6])
{
    call_started(tr, t->pid, sched_clock_ns());
    if (strace_decode_at_entry(nr)) {
        strace_decode_args(t, nr, a, 0, false, &tr->entry);
        tr->entry_tid = t->pid;
    }
}

void trace_syscall_enter(struct tracer *tr, struct task *t, uint64_t nr, const uint64_t a[6])
{
    for_each_tracer(tr, TRACE_SYSCALL) syscall_enter_one(tr, t, nr, a);
}

/*
 * The first program's execve happened before tracing could see its
 * registers: its arguments are read from the new stack, where exec put
 * argc, argv and envp, as strace shows them at the call.
 */
static void initial_exec_args(struct tracer *tr, struct task *t, struct strace_call *c)
{
    uint64_t sp = cpu_get(t->cpu, CPU_RSP), argc = 0;
    task_peek_user(t, &argc, sp, sizeof(argc));
    uint64_t a[6] = {0, sp + 8, sp + 8 + 8 * (argc + 1), 0, 0, 0};
    strace_decode_args(t, 59, a, 0, true, c);
    c->arg[0].len = 0;
    strace_quote_string(&c->arg[0], tr->argv0 ? tr->argv0 : "?");
}

/* The decoded call: arguments from its entry if they were taken there, else now. */
static const struct strace_call *decode_call(struct tracer *tr, struct task *t, uint64_t nr,
                                             const uint64_t a[6], long ret)
{
    const struct strace_call *args = &tr->call;
    if (strace_decode_at_entry(nr) && tr->entry_tid == t->pid) {
        args = &tr->entry;
        tr->entry_tid = 0;
    } else if (nr == 59) {
        initial_exec_args(tr, t, &tr->call);
    } else {
        strace_decode_args(t, nr, a, ret, true, &tr->call);
    }
    strace_decode_result(nr, a, ret, &tr->call);
    return args;
}

static void syscall_event(struct tracer *tr, struct task *t, uint64_t nr, const uint64_t a[6],
                          long ret)
{
    const char *name = syscall_name(nr);
    uint64_t dur = call_ended(tr, t->pid, sched_clock_ns());
    const struct strace_call *c = decode_call(tr, t, nr, a, ret);
    event_begin(tr, t, "syscall");
    if (tr->jsonl) {
        fprintf(tr->out, ",\"nr\":%" PRIu64 ",\"name\":\"%s\",\"args\":[", nr, name);
        for (int i = 0; i < 6; i++)
            fprintf(tr->out, "%s\"0x%" PRIx64 "\"", i ? "," : "", a[i]);
        fprintf(tr->out, "],\"result\":%ld,\"dur\":%" PRIu64 ",\"decoded\":[", ret, dur);
        for (unsigned int i = 0; i < c->nargs; i++) {
            fputs(i ? "," : "", tr->out);
            trace_json_string(tr->out, c->arg[i].buf ? c->arg[i].buf : "");
        }
        fputs("],\"ret\":", tr->out);
        trace_json_string(tr->out, tr->call.result.buf ? tr->call.result.buf : "");
        fputs(",\"errno\":", tr->out);
        if (tr->call.err)
            trace_json_string(tr->out, tr->call.err);
        else
            fputs("null", tr->out);
        fputs("}\n", tr->out);
        return;
    }
    fprintf(tr->out, " %s(", name);
    for (unsigned int i = 0; i < c->nargs; i++)
        fprintf(tr->out, "%s%s", i ? ", " : "", c->arg[i].buf ? c->arg[i].buf : "");
    fprintf(tr->out, ") = %s\n", tr->call.result.buf ? tr->call.result.buf : "");
}

void trace_syscall(struct tracer *tr, struct task *t, uint64_t nr, const uint64_t a[6], long ret)
{
    for (; tr; tr = tr->next) {
        if (wants(tr, TRACE_MM) && is_mm_call(nr))
            mm_event(tr, t, nr, a, ret);
        if (wants(tr, TRACE_SYSCALL))
            syscall_event(tr, t, nr, a, ret);
        tr->nchanges = tr->dropped = 0;
    }
}

static void header_one(struct tracer *tr, char *const argv[])
{
    free(tr->argv0);
    tr->argv0 = strdup(argv[0]);
    if (tr->jsonl) {
        fprintf(tr->out,
                "{\"type\":\"header\",\"schema\":\"vmemu-trace\",\"version\":%d,"
                "\"program\":",
                TRACE_SCHEMA_VERSION);
        trace_json_string(tr->out, base_name(argv[0]));
        fputs(",\"argv\":[", tr->out);
        for (int i = 0; argv[i]; i++) {
            fputs(i ? "," : "", tr->out);
            trace_json_string(tr->out, i ? argv[i] : base_name(argv[i]));
        }
        fputs("]}\n", tr->out);
    } else {
        fprintf(tr->out, "# vmemu trace version %d: %s", TRACE_SCHEMA_VERSION, base_name(argv[0]));
        for (int i = 1; argv[i]; i++)
            fprintf(tr->out, " %s", argv[i]);
        fputc('\n', tr->out);
    }
}

void trace_header(struct tracer *tr, struct task *t, char *const argv[])
{
    (void)t;
    for (; tr; tr = tr->next)
        header_one(tr, argv);
}

static const char *const pagecache_op_names[] = {
    [PAGECACHE_READ] = "read",           [PAGECACHE_WRITE] = "write",
    [PAGECACHE_READAHEAD] = "readahead", [PAGECACHE_WRITEBACK] = "writeback",
    [PAGECACHE_TRUNCATE] = "truncate",   [PAGECACHE_DROP] = "drop",
};

/* The op's own fields, after the common ones. */
static void pagecache_fields_json(FILE *out, const struct pagecache_event *ev)
{
    switch (ev->op) {
    case PAGECACHE_READ:
    case PAGECACHE_WRITE:
        fprintf(out, ",\"pfn\":%lu,\"hit\":%s", ev->pfn, ev->hit ? "true" : "false");
        break;
    case PAGECACHE_READAHEAD:
        fprintf(out, ",\"size\":%lu,\"async_size\":%lu,\"trigger\":\"%s\"", ev->size,
                ev->async_size, ev->why);
        break;
    case PAGECACHE_WRITEBACK:
        fprintf(out, ",\"reason\":\"%s\"", ev->why);
        break;
    default:
        break;
    }
}

static void pagecache_fields_text(FILE *out, const struct pagecache_event *ev)
{
    switch (ev->op) {
    case PAGECACHE_READ:
    case PAGECACHE_WRITE:
        fprintf(out, " pfn=0x%lx %s", ev->pfn, ev->hit ? "hit" : "miss");
        break;
    case PAGECACHE_READAHEAD:
        fprintf(out, " size=%lu async=%lu trigger=%s", ev->size, ev->async_size, ev->why);
        break;
    case PAGECACHE_WRITEBACK:
        fprintf(out, " reason=%s", ev->why);
        break;
    default:
        break;
    }
}

static void pagecache_one(struct tracer *tr, struct task *t, const struct pagecache_event *ev)
{
    const char *file = ev->as ? mapping_name(ev->as) : "*";
    event_begin(tr, t, "pagecache");
    if (tr->jsonl) {
        fprintf(tr->out, ",\"op\":\"%s\",\"file\":", pagecache_op_names[ev->op]);
        trace_json_string(tr->out, file);
        fprintf(tr->out, ",\"index\":%lu,\"pages\":%lu", ev->index, ev->pages);
        pagecache_fields_json(tr->out, ev);
        fputs("}\n", tr->out);
        return;
    }
    fprintf(tr->out, " %-9s %s index=%lu pages=%lu", pagecache_op_names[ev->op], file, ev->index,
            ev->pages);
    pagecache_fields_text(tr->out, ev);
    fputc('\n', tr->out);
}

void trace_pagecache(struct tracer *tr, struct task *t, const struct pagecache_event *ev)
{
    for_each_tracer(tr, TRACE_PAGECACHE) pagecache_one(tr, t, ev);
}

/* ---- reclaim ------------------------------------------------------------------------- */

static const char *const reclaim_op_names[] = {
    [RECLAIM_PASS] = "pass",
    [RECLAIM_SWAPOUT] = "swapout",
    [RECLAIM_SWAPIN] = "swapin",
    [RECLAIM_OOM] = "oom",
};

static void reclaim_pass_fields(FILE *out, bool jsonl, const struct reclaim_event *ev)
{
    fprintf(out,
            jsonl ? ",\"who\":\"%s\",\"priority\":%d,\"scanned_anon\":%lu,\"scanned_file\":%lu,"
                    "\"reclaimed_anon\":%lu,\"reclaimed_file\":%lu,\"free_before\":%lu,"
                    "\"free_after\":%lu"
                  : " who=%s priority=%d scanned_anon=%lu scanned_file=%lu reclaimed_anon=%lu "
                    "reclaimed_file=%lu free=%lu->%lu",
            ev->who, ev->priority, ev->scanned_anon, ev->scanned_file, ev->reclaimed_anon,
            ev->reclaimed_file, ev->free_before, ev->free_after);
}

/* The victim as the kernel's report line names it (sizes in kB). */
static void reclaim_oom_fields(FILE *out, bool jsonl, const struct reclaim_event *ev)
{
    unsigned long k = PAGE_SIZE >> 10;
    if (jsonl) {
        fprintf(out, ",\"victim\":%d,\"comm\":", ev->pid);
        trace_json_string(out, ev->comm);
    } else {
        fprintf(out, " victim=%d comm=%s", ev->pid, ev->comm);
    }
    fprintf(out,
            jsonl ? ",\"total_vm_kb\":%lu,\"anon_rss_kb\":%lu,\"file_rss_kb\":%lu,"
                    "\"shmem_rss_kb\":%lu,\"swapents\":%lu,\"pgtables_kb\":%lu,"
                    "\"oom_score_adj\":%d"
                  : " total_vm=%lukB anon_rss=%lukB file_rss=%lukB shmem_rss=%lukB swapents=%lu "
                    "pgtables=%lukB oom_score_adj=%d",
            ev->total_vm * k, ev->anon_rss * k, ev->file_rss * k, ev->shmem_rss * k, ev->swapents,
            ev->pgtables_bytes >> 10, ev->oom_score_adj);
}

static void reclaim_one(struct tracer *tr, struct task *t, const struct reclaim_event *ev)
{
    bool jsonl = tr->jsonl;
    event_begin(tr, t, "reclaim");
    fprintf(tr->out, jsonl ? ",\"op\":\"%s\"" : " %-7s", reclaim_op_names[ev->op]);
    switch (ev->op) {
    case RECLAIM_PASS:
        reclaim_pass_fields(tr->out, jsonl, ev);
        break;
    case RECLAIM_SWAPOUT:
        fprintf(tr->out, jsonl ? ",\"pfn\":%lu,\"slot\":%lu" : " pfn=0x%lx slot=%lu", ev->pfn,
                ev->slot);
        break;
    case RECLAIM_SWAPIN:
        fprintf(tr->out,
                jsonl ? ",\"pfn\":%lu,\"slot\":%lu,\"readahead\":%lu"
                      : " pfn=0x%lx slot=%lu readahead=%lu",
                ev->pfn, ev->slot, ev->ra_pages);
        break;
    case RECLAIM_OOM:
        reclaim_oom_fields(tr->out, jsonl, ev);
        break;
    }
    fputs(jsonl ? "}\n" : "\n", tr->out);
}

void trace_reclaim(struct tracer *tr, struct task *t, const struct reclaim_event *ev)
{
    for_each_tracer(tr, TRACE_RECLAIM) reclaim_one(tr, t, ev);
}

/* ---- processes ---------------------------------------------------------------------- */

void trace_task_new(struct tracer *tr, struct task *parent, struct task *child, unsigned long flags)
{
    bool thread = child->tgid == parent->tgid;
    for_each_tracer(tr, TRACE_PROC)
    {
        event_begin(tr, parent, thread ? "clone" : "fork");
        if (tr->jsonl)
            fprintf(tr->out, ",\"child\":%d,\"flags\":\"0x%lx\"}\n", child->pid, flags);
        else
            fprintf(tr->out, " child=%d flags=0x%lx\n", child->pid, flags);
    }
}

/* An event whose one field is a name: exec's program, rename's comm. */
static void name_event(struct tracer *tr, struct task *t, const char *type, const char *field,
                       const char *name)
{
    for_each_tracer(tr, TRACE_PROC)
    {
        event_begin(tr, t, type);
        if (tr->jsonl) {
            fprintf(tr->out, ",\"%s\":", field);
            trace_json_string(tr->out, name);
            fputs("}\n", tr->out);
        } else {
            fprintf(tr->out, " %s\n", name);
        }
    }
}

void trace_exec(struct tracer *tr, struct task *t, const char *path)
{
    name_event(tr, t, "exec", "program", base_name(path));
    memstat_event(tr, t); /* the memory curves start with each program */
}

void trace_rename(struct tracer *tr, struct task *t, const char *comm)
{
    name_event(tr, t, "rename", "comm", comm);
}

void trace_signal(struct tracer *tr, struct task *t, int sig, int code, bool handled)
{
    const char *name = sigabbrev_np(sig);
    for_each_tracer(tr, TRACE_PROC)
    {
        event_begin(tr, t, "signal");
        if (tr->jsonl)
            fprintf(tr->out, ",\"signal\":%d,\"name\":\"SIG%s\",\"code\":%d,\"action\":\"%s\"}\n",
                    sig, name ? name : "?", code, handled ? "handler" : "default");
        else
            fprintf(tr->out, " SIG%s code=%d %s\n", name ? name : "?", code,
                    handled ? "handler" : "default");
    }
}

void trace_sigreturn(struct tracer *tr, struct task *t)
{
    for_each_tracer(tr, TRACE_PROC)
    {
        event_begin(tr, t, "sigreturn");
        fputs(tr->jsonl ? "}\n" : "\n", tr->out);
    }
}

void trace_task_exit(struct tracer *tr, struct task *t, int wait_status)
{
    int status = (wait_status & 0x7f) ? 0 : (wait_status >> 8) & 0xff;
    int signal = wait_status & 0x7f;
    for (; tr; tr = tr->next) {
        call_ended(tr, t->pid, 0); /* a call it never returned from */
        event_begin(tr, t, "exit");
        if (tr->jsonl)
            fprintf(tr->out, ",\"status\":%d,\"signal\":%d}\n", status, signal);
        else
            fprintf(tr->out, " status=%d signal=%d\n", status, signal);
        fflush(tr->out);
    }
}

void trace_event(struct tracer *tr, struct task *t, unsigned int cat, const char *type,
                 trace_fields_fn fields, void *ctx)
{
    for_each_tracer(tr, cat)
    {
        event_begin(tr, t, type);
        fields(tr->out, tr->jsonl, ctx);
        fputs(tr->jsonl ? "}\n" : "\n", tr->out);
    }
}
