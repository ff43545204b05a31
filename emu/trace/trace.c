/*
 * Trace events. Text lines start with "#SEQ TYPE"; JSON Lines carry the
 * same fields under stable names (docs/tracing.md is the schema). Addresses
 * are hex strings in JSON so that 64-bit values survive any JSON reader.
 * File names are base names, so traces do not depend on where files live.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <string.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "emu/cpu.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "emu/trace/trace.h"
#include "mm/array_size.h"
#include "mm/fault.h"
#include "mm/fs.h"
#include "mm/mmap.h"
#include "mm/pagemap.h"

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

struct tracer {
    FILE *out;
    unsigned int cats;
    bool jsonl;
    unsigned long seq;
    struct vma_change changes[MAX_CHANGES];
    unsigned int nchanges, dropped;
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
    } names[] = {{"fault", TRACE_FAULT},         {"mm", TRACE_MM},     {"syscall", TRACE_SYSCALL},
                 {"pagecache", TRACE_PAGECACHE}, {"proc", TRACE_PROC}, {"all", TRACE_ALL}};
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
        tr->cats = cats;
        tr->jsonl = jsonl;
    }
    return tr;
}

void trace_close(struct tracer *tr)
{
    if (tr)
        fflush(tr->out);
    free(tr);
}

bool trace_wants(const struct tracer *tr, unsigned int cat)
{
    return tr && (tr->cats & cat);
}

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

/* The fields every event starts with: seq, type, pid, tid. */
static void event_begin(struct tracer *tr, const struct task *t, const char *type)
{
    tr->seq++;
    if (tr->jsonl) {
        fprintf(tr->out, "{\"seq\":%lu,\"type\":\"%s\",\"pid\":%d,\"tid\":%d", tr->seq, type,
                t ? t->tgid : 0, t ? t->pid : 0);
        return;
    }
    fprintf(tr->out, "#%lu", tr->seq);
    who_text(tr->out, t);
    fprintf(tr->out, " %s", type);
}

/* A JSON string literal for s. */
static void json_str(FILE *out, const char *s)
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
    json_str(tr->out, name);
    fprintf(tr->out, ",\"offset\":\"0x%lx\"}", vma->vm_file ? vma->vm_pgoff << PAGE_SHIFT : 0UL);
}

void trace_fault(struct tracer *tr, struct task *t, uint64_t ip, unsigned long addr,
                 unsigned int flags, const struct fault_result *r, const char *via)
{
    if (!trace_wants(tr, TRACE_FAULT))
        return;
    char insn[128] = "?";
    if (!cpu_disasm(t->cpu, ip, insn, sizeof(insn)))
        snprintf(insn, sizeof(insn), "?");
    /* A vma pointer in the result may be gone after a failed stack growth. */
    const struct vm_area_struct *vma = fault_is_error(r->kind) ? NULL : r->vma;
    event_begin(tr, t, "fault");
    if (tr->jsonl) {
        fprintf(tr->out, ",\"ip\":\"0x%" PRIx64 "\",\"insn\":", ip);
        json_str(tr->out, insn);
        fprintf(tr->out, ",\"addr\":\"0x%lx\",\"access\":\"%s\",\"via\":", addr,
                access_name(flags));
        if (via)
            json_str(tr->out, via);
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
            access_name(flags), addr, ip, insn);
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

void trace_vma_change(struct tracer *tr, struct task *t, enum vma_event ev,
                      const struct vm_area_struct *vma)
{
    (void)t;
    if (!trace_wants(tr, TRACE_MM))
        return;
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
            json_str(tr->out, c->name);
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

static void syscall_event(struct tracer *tr, struct task *t, uint64_t nr, const uint64_t a[6],
                          long ret)
{
    const char *name = syscall_name(nr);
    event_begin(tr, t, "syscall");
    if (tr->jsonl) {
        fprintf(tr->out, ",\"nr\":%" PRIu64 ",\"name\":\"%s\",\"args\":[", nr, name);
        for (int i = 0; i < 6; i++)
            fprintf(tr->out, "%s\"0x%" PRIx64 "\"", i ? "," : "", a[i]);
        fprintf(tr->out, "],\"result\":%ld}\n", ret);
    } else {
        fprintf(tr->out,
                " %s(0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64
                ", 0x%" PRIx64 ") = %ld\n",
                name, a[0], a[1], a[2], a[3], a[4], a[5], ret);
    }
}

void trace_syscall(struct tracer *tr, struct task *t, uint64_t nr, const uint64_t a[6], long ret)
{
    if (!tr)
        return;
    if ((tr->cats & TRACE_MM) && is_mm_call(nr))
        mm_event(tr, t, nr, a, ret);
    if (tr->cats & TRACE_SYSCALL)
        syscall_event(tr, t, nr, a, ret);
    tr->nchanges = tr->dropped = 0;
}

void trace_header(struct tracer *tr, struct task *t, char *const argv[])
{
    (void)t;
    if (!tr)
        return;
    if (tr->jsonl) {
        fprintf(tr->out,
                "{\"type\":\"header\",\"schema\":\"vmemu-trace\",\"version\":%d,"
                "\"program\":",
                TRACE_SCHEMA_VERSION);
        json_str(tr->out, base_name(argv[0]));
        fputs(",\"argv\":[", tr->out);
        for (int i = 0; argv[i]; i++) {
            fputs(i ? "," : "", tr->out);
            json_str(tr->out, i ? argv[i] : base_name(argv[i]));
        }
        fputs("]}\n", tr->out);
    } else {
        fprintf(tr->out, "# vmemu trace version %d: %s", TRACE_SCHEMA_VERSION, base_name(argv[0]));
        for (int i = 1; argv[i]; i++)
            fprintf(tr->out, " %s", argv[i]);
        fputc('\n', tr->out);
    }
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

void trace_pagecache(struct tracer *tr, struct task *t, const struct pagecache_event *ev)
{
    if (!trace_wants(tr, TRACE_PAGECACHE))
        return;
    const char *file = ev->as ? mapping_name(ev->as) : "*";
    event_begin(tr, t, "pagecache");
    if (tr->jsonl) {
        fprintf(tr->out, ",\"op\":\"%s\",\"file\":", pagecache_op_names[ev->op]);
        json_str(tr->out, file);
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

/* ---- processes ---------------------------------------------------------------------- */

void trace_task_new(struct tracer *tr, struct task *parent, struct task *child, unsigned long flags)
{
    if (!trace_wants(tr, TRACE_PROC))
        return;
    bool thread = child->tgid == parent->tgid;
    event_begin(tr, parent, thread ? "clone" : "fork");
    if (tr->jsonl)
        fprintf(tr->out, ",\"child\":%d,\"flags\":\"0x%lx\"}\n", child->pid, flags);
    else
        fprintf(tr->out, " child=%d flags=0x%lx\n", child->pid, flags);
}

void trace_exec(struct tracer *tr, struct task *t, const char *path)
{
    if (!trace_wants(tr, TRACE_PROC))
        return;
    event_begin(tr, t, "exec");
    if (tr->jsonl) {
        fputs(",\"program\":", tr->out);
        json_str(tr->out, base_name(path));
        fputs("}\n", tr->out);
    } else {
        fprintf(tr->out, " %s\n", base_name(path));
    }
}

void trace_signal(struct tracer *tr, struct task *t, int sig, int code, bool handled)
{
    if (!trace_wants(tr, TRACE_PROC))
        return;
    event_begin(tr, t, "signal");
    const char *name = sigabbrev_np(sig);
    if (tr->jsonl)
        fprintf(tr->out, ",\"signal\":%d,\"name\":\"SIG%s\",\"code\":%d,\"action\":\"%s\"}\n", sig,
                name ? name : "?", code, handled ? "handler" : "default");
    else
        fprintf(tr->out, " SIG%s code=%d %s\n", name ? name : "?", code,
                handled ? "handler" : "default");
}

void trace_sigreturn(struct tracer *tr, struct task *t)
{
    if (!trace_wants(tr, TRACE_PROC))
        return;
    event_begin(tr, t, "sigreturn");
    fputs(tr->jsonl ? "}\n" : "\n", tr->out);
}

void trace_task_exit(struct tracer *tr, struct task *t, int wait_status)
{
    if (!tr)
        return;
    int status = (wait_status & 0x7f) ? 0 : (wait_status >> 8) & 0xff;
    int signal = wait_status & 0x7f;
    event_begin(tr, t, "exit");
    if (tr->jsonl)
        fprintf(tr->out, ",\"status\":%d,\"signal\":%d}\n", status, signal);
    else
        fprintf(tr->out, " status=%d signal=%d\n", status, signal);
    fflush(tr->out);
}
