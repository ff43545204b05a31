/*
 * Making a summary (check_summary.h) from the run's trace and probe. The
 * trace gives the faults (kind, VMA, which process, major or not), the
 * programs each process ran (exec, inherited by fork) and how each ended;
 * the probe gives each process's final map and peak RSS and the counters.
 * Rows come out in a fixed order (faults sorted by kind and VMA kind,
 * processes by pid), so the same run gives the same text.
 */
#include "emu/trace/check_summary.h"

#include <stdlib.h>
#include <string.h>

#include "emu/trace/check_events.h"
#include "emu/trace/check_probe.h"
#include "emu/trace/report_model.h"

struct fault_row {
    char kind[24], vma[12];
    long n;
};

struct proc_row {
    int pid;
    char program[64];
    long minor, major;
    int status, signal;
};

/* A fault taken during execve, waiting for the program's name. */
struct pending {
    int pid;
    char kind[24], name[128], prot[8];
};

struct summary_state {
    struct fault_row *faults;
    size_t nfaults;
    struct pending *pending;
    size_t npending;
    struct proc_row *procs;
    size_t nprocs;
    long around, readahead;
    bool oom;
};

static void *grow_by_one(void *v, size_t n, size_t size)
{
    return (n & (n - 1)) == 0 ? realloc(v, (n ? 2 * n : 1) * size) : v; /* at powers of two */
}

static struct proc_row *proc_of(struct summary_state *s, int pid)
{
    for (size_t i = 0; i < s->nprocs; i++)
        if (s->procs[i].pid == pid)
            return &s->procs[i];
    struct proc_row *p = grow_by_one(s->procs, s->nprocs, sizeof(*p));
    if (!p) {
        s->oom = true;
        return NULL;
    }
    s->procs = p;
    p = &s->procs[s->nprocs++];
    memset(p, 0, sizeof(*p));
    p->pid = pid;
    return p;
}

static void count_fault(struct summary_state *s, const char *kind, const char *vma)
{
    for (size_t i = 0; i < s->nfaults; i++)
        if (!strcmp(s->faults[i].kind, kind) && !strcmp(s->faults[i].vma, vma)) {
            s->faults[i].n++;
            return;
        }
    struct fault_row *f = grow_by_one(s->faults, s->nfaults, sizeof(*f));
    if (!f) {
        s->oom = true;
        return;
    }
    s->faults = f;
    f = &s->faults[s->nfaults++];
    snprintf(f->kind, sizeof(f->kind), "%s", kind);
    snprintf(f->vma, sizeof(f->vma), "%s", vma);
    f->n = 1;
}

static bool is_error_kind(const char *kind)
{
    return !strcmp(kind, "segv") || !strcmp(kind, "sigbus") || !strcmp(kind, "oom");
}

/*
 * A fault's VMA kind needs the program the process runs; faults exec
 * takes while it builds the new image come before the exec event that
 * names it, so they wait for it.
 */
static void classify(struct summary_state *s, const char *kind, const char *name, const char *prot,
                     const char *program)
{
    count_fault(s, kind, name ? vma_kind(program, name, prot) : "none");
}

static void settle_pending(struct summary_state *s, int pid, const char *program)
{
    size_t kept = 0;
    for (size_t i = 0; i < s->npending; i++) {
        struct pending *f = &s->pending[i];
        if (f->pid == pid)
            classify(s, f->kind, f->name, f->prot, program);
        else
            s->pending[kept++] = *f;
    }
    s->npending = kept;
}

static void on_fault(struct summary_state *s, const struct json *ev, struct proc_row *p)
{
    const char *kind = json_string(json_get(ev, "kind"), "?");
    const struct json *vma = json_get(ev, "vma");
    bool has_vma = vma && vma->type == JSON_OBJECT;
    const char *name = has_vma ? json_string(json_get(vma, "name"), "") : NULL;
    const char *prot = has_vma ? json_string(json_get(vma, "prot"), "----") : "----";
    if (has_vma && !strcmp(json_string(json_get(ev, "via"), ""), "execve")) {
        struct pending *f = grow_by_one(s->pending, s->npending, sizeof(*f));
        if (!f) {
            s->oom = true;
            return;
        }
        s->pending = f;
        f = &s->pending[s->npending++];
        f->pid = p->pid;
        snprintf(f->kind, sizeof(f->kind), "%s", kind);
        snprintf(f->name, sizeof(f->name), "%s", name);
        snprintf(f->prot, sizeof(f->prot), "%s", prot);
    } else {
        classify(s, kind, name, prot, p->program);
    }
    const struct json *major = json_get(ev, "major");
    if (major && major->type == JSON_BOOL && major->boolean)
        p->major++;
    else if (!is_error_kind(kind))
        p->minor++;
    s->around += (long)json_int(json_get(ev, "around"), 0);
    s->readahead += (long)json_int(json_get(ev, "readahead"), 0);
}

static bool on_event(const struct json *ev, size_t index, void *ctx)
{
    (void)index;
    struct summary_state *s = ctx;
    const char *type = event_type(ev);
    int pid = event_pid(ev);
    if (!strcmp(type, "header") || pid <= 0)
        return true;
    struct proc_row *p = proc_of(s, pid);
    if (!p)
        return false;
    if (!strcmp(type, "fault")) {
        on_fault(s, ev, p);
    } else if (!strcmp(type, "exec")) {
        snprintf(p->program, sizeof(p->program), "%s", json_string(json_get(ev, "program"), "?"));
        settle_pending(s, pid, p->program);
    } else if (!strcmp(type, "fork")) {
        char program[sizeof(p->program)];
        memcpy(program, p->program, sizeof(program));
        struct proc_row *c = proc_of(s, (int)json_int(json_get(ev, "child"), 0));
        if (c)
            memcpy(c->program, program, sizeof(program));
    } else if (!strcmp(type, "exit")) {
        settle_pending(s, pid, p->program); /* an exec that failed late */
        p->status = (int)json_int(json_get(ev, "status"), 0);
        p->signal = (int)json_int(json_get(ev, "signal"), 0);
    }
    return !s->oom;
}

static int by_kind(const void *a, const void *b)
{
    const struct fault_row *x = a, *y = b;
    int c = strcmp(x->kind, y->kind);
    return c ? c : strcmp(x->vma, y->vma);
}

static int by_pid(const void *a, const void *b)
{
    const struct proc_row *x = a, *y = b;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

/* One line of /proc/PID/maps as "map PROT KIND PAGES". */
static void map_line(FILE *out, const char *line, const char *program)
{
    unsigned long start, end;
    char prot[8];
    int name_at = 0;
    if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &start, &end, prot, &name_at) < 3)
        return;
    const char *name = name_at ? line + name_at : "";
    const char *slash = strrchr(name, '/');
    char base[256];
    snprintf(base, sizeof(base), "%s", slash && name[0] == '/' ? slash + 1 : name);
    fprintf(out, "map %s %s %lu\n", prot, vma_kind(program, base, prot), (end - start) >> 12);
}

static void write_maps(FILE *out, const struct probe_process *pp, const char *program)
{
    for (const char *l = pp->maps; l && *l;) {
        const char *nl = strchr(l, '\n');
        size_t n = nl ? (size_t)(nl - l) : strlen(l);
        char line[4096 + 256];
        snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1), l);
        map_line(out, line, program);
        l = nl ? nl + 1 : l + n;
    }
}

static void write_process(FILE *out, const struct proc_row *p)
{
    fprintf(out, "\n[process %d %s]\nstatus %d\nsignal %d\nminor %ld\nmajor %ld\n", p->pid,
            p->program[0] ? p->program : "?", p->status, p->signal, p->minor, p->major);
    size_t n;
    const struct probe_process *pp = check_probe_processes(&n);
    for (size_t i = 0; i < n; i++) {
        if (pp[i].pid != p->pid)
            continue;
        fprintf(out, "peak-rss %lu\n", pp[i].peak_rss);
        write_maps(out, &pp[i], p->program);
        break; /* a pid ends once */
    }
}

static void write_counters(FILE *out)
{
    struct probe_counters a, b;
    if (!check_probe_counters(&a, &b))
        return;
    for (int meminfo = 1; meminfo >= 0; meminfo--) {
        fputs(meminfo ? "\n[meminfo delta]\n" : "\n[vmstat delta]\n", out);
        for (int i = 0; i < a.n && i < b.n; i++) {
            long d = b.value[i] - a.value[i];
            if (a.meminfo[i] == meminfo && (meminfo || d))
                fprintf(out, "%s %ld\n", a.name[i], d);
        }
    }
}

char *summary_make(const char *jsonl, size_t len, size_t *out_len, char *why, size_t why_len)
{
    struct summary_state s = {0};
    char *text = NULL;
    *out_len = 0;
    FILE *out = NULL;
    bool ok = check_each_event(jsonl, len, on_event, &s, why, why_len) && !s.oom &&
              (out = open_memstream(&text, out_len)) != NULL;
    if (ok) {
        qsort(s.faults, s.nfaults, sizeof(*s.faults), by_kind);
        qsort(s.procs, s.nprocs, sizeof(*s.procs), by_pid);
        fputs("[faults]\n", out);
        for (size_t i = 0; i < s.nfaults; i++)
            fprintf(out, "%s %s %ld\n", s.faults[i].kind, s.faults[i].vma, s.faults[i].n);
        fprintf(out, "pages-around %ld\npages-readahead %ld\n", s.around, s.readahead);
        for (size_t i = 0; i < s.nprocs; i++)
            write_process(out, &s.procs[i]);
        write_counters(out);
        ok = fclose(out) == 0;
    }
    if (!ok && (s.oom || !out))
        snprintf(why, why_len, "out of memory summarizing the run");
    free(s.faults);
    free(s.procs);
    free(s.pending);
    if (!ok) {
        free(text);
        return NULL;
    }
    return text;
}
