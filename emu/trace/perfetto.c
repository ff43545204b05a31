/*
 * The Chrome JSON trace format, which Perfetto (ui.perfetto.dev) and
 * chrome://tracing open: a track per process and thread; system calls as
 * slices carrying their decoded arguments; faults, execs, renames, forks,
 * signals and exits as instant events with their fields; counters for the
 * machine's memory and each process's RSS and working set. Written while
 * the JSON Lines trace is read, event by event; timestamps are the virtual
 * clock in microseconds.
 */
#include "emu/trace/perfetto.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "emu/trace/json.h"
#include "emu/trace/trace.h"

struct name_entry {
    int id;  /* pid or tid */
    int pid; /* a thread's process */
    char *name;
};

struct perfetto {
    FILE *out;
    unsigned long events;
    char *program;
    struct name_entry *procs, *threads;
    size_t nprocs, nthreads;
};

struct perfetto *perfetto_open(FILE *out)
{
    struct perfetto *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->out = out;
    fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", out);
    return p;
}

/* Remember id's name (the last one wins, as a track shows the latest). */
static void set_name(struct name_entry **tab, size_t *n, int id, int pid, const char *name)
{
    for (size_t i = 0; i < *n; i++) {
        if ((*tab)[i].id == id) {
            char *copy = strdup(name);
            if (copy) {
                free((*tab)[i].name);
                (*tab)[i].name = copy;
            }
            return;
        }
    }
    struct name_entry *t = realloc(*tab, (*n + 1) * sizeof(**tab));
    if (!t)
        return;
    *tab = t;
    t[*n].id = id;
    t[*n].pid = pid;
    if ((t[*n].name = strdup(name)) != NULL)
        (*n)++;
}

static const char *name_of(const struct name_entry *tab, size_t n, int id)
{
    for (size_t i = 0; i < n; i++)
        if (tab[i].id == id)
            return tab[i].name;
    return NULL;
}

/* The fields every event starts with; ts is the virtual time in microseconds. */
static void begin(struct perfetto *p, const char *name, const char *cat, const char *ph, int pid,
                  int tid, uint64_t t)
{
    fputs(p->events++ ? ",\n{\"name\":" : "{\"name\":", p->out);
    trace_json_string(p->out, name);
    fprintf(p->out, ",\"cat\":\"%s\",\"ph\":\"%s\",\"ts\":%" PRIu64 ".%03u,\"pid\":%d,\"tid\":%d",
            cat, ph, t / 1000, (unsigned)(t % 1000), pid, tid);
}

/* "key":value for each given member of ev that is present, as it is in the trace. */
static void copy_args(FILE *out, const struct json *ev, const char *const *keys)
{
    fputs(",\"args\":{", out);
    int n = 0;
    for (; *keys; keys++) {
        const struct json *v = json_get(ev, *keys);
        if (!v)
            continue;
        fprintf(out, "%s\"%s\":", n++ ? "," : "", *keys);
        if (v->type == JSON_STRING)
            trace_json_string(out, v->str);
        else if (v->type == JSON_NUMBER)
            fprintf(out, "%" PRId64, v->i);
        else if (v->type == JSON_BOOL)
            fputs(v->boolean ? "true" : "false", out);
        else if (v->type == JSON_OBJECT) /* the fault's VMA: its name */
            trace_json_string(out, json_string(json_get(v, "name"), "?"));
        else
            fputs("null", out);
    }
    fputs("}}", out);
}

static void syscall_slice(struct perfetto *p, const struct json *ev, int pid, int tid, uint64_t t)
{
    uint64_t dur = (uint64_t)json_int(json_get(ev, "dur"), 0);
    const char *name = json_string(json_get(ev, "name"), "?");
    begin(p, name, "syscall", "X", pid, tid, t >= dur ? t - dur : 0);
    fprintf(p->out, ",\"dur\":%" PRIu64 ".%03u,\"args\":{\"call\":", dur / 1000,
            (unsigned)(dur % 1000));
    /* name(decoded, arguments) = result, as the text trace has it */
    const struct json *d = json_get(ev, "decoded");
    size_t len = strlen(name) + 16;
    for (size_t i = 0; d && i < d->len; i++)
        len += strlen(json_string(json_at(d, i), "")) + 2;
    char *call = malloc(len);
    if (call) {
        strcpy(call, name);
        strcat(call, "(");
        for (size_t i = 0; d && i < d->len; i++) {
            if (i)
                strcat(call, ", ");
            strcat(call, json_string(json_at(d, i), ""));
        }
        strcat(call, ")");
        trace_json_string(p->out, call);
        free(call);
    } else {
        trace_json_string(p->out, name);
    }
    fputs(",\"ret\":", p->out);
    trace_json_string(p->out, json_string(json_get(ev, "ret"), "?"));
    fputs("}}", p->out);
}

static void instant(struct perfetto *p, const char *name, const char *cat, char scope,
                    const struct json *ev, int pid, int tid, uint64_t t, const char *const *keys)
{
    begin(p, name, cat, "i", pid, tid, t);
    fprintf(p->out, ",\"s\":\"%c\"", scope);
    copy_args(p->out, ev, keys);
}

static void counter(struct perfetto *p, const char *name, int pid, uint64_t t, const char *args)
{
    begin(p, name, "memory", "C", pid, 0, t);
    fprintf(p->out, ",\"args\":{%s}}", args);
}

static void memory_counters(struct perfetto *p, const struct json *ev, uint64_t t)
{
    char args[256];
    snprintf(args, sizeof(args),
             "\"free\":%" PRId64 ",\"page cache\":%" PRId64 ",\"anon\":%" PRId64
             ",\"dirty\":%" PRId64 ",\"slab\":%" PRId64 ",\"page tables\":%" PRId64,
             json_int(json_get(ev, "free"), 0), json_int(json_get(ev, "file"), 0),
             json_int(json_get(ev, "anon"), 0), json_int(json_get(ev, "dirty"), 0),
             json_int(json_get(ev, "slab"), 0), json_int(json_get(ev, "pagetables"), 0));
    counter(p, "memory (pages)", 0, t, args);
    const struct json *rss = json_get(ev, "rss");
    for (size_t i = 0; rss && i < rss->len; i++) {
        const struct json *r = json_at(rss, i);
        snprintf(args, sizeof(args), "\"anon\":%" PRId64 ",\"file\":%" PRId64 ",\"shmem\":%" PRId64,
                 json_int(json_at(r, 1), 0), json_int(json_at(r, 2), 0),
                 json_int(json_at(r, 3), 0));
        counter(p, "RSS (pages)", (int)json_int(json_at(r, 0), 0), t, args);
    }
}

/* An aggregation of access samples as one number: the pages used, weighted by how often. */
static void access_counter(struct perfetto *p, const struct json *ev, int pid, uint64_t t)
{
    const struct json *r = json_get(ev, "regions");
    int64_t samples = json_int(json_get(ev, "samples"), 0);
    double pages = 0;
    for (size_t i = 0; r && samples > 0 && i < r->len; i++) {
        const struct json *x = json_at(r, i);
        int64_t len = json_int(json_at(x, 1), 0) - json_int(json_at(x, 0), 0);
        pages += (double)len / 4096 * (double)json_int(json_at(x, 2), 0) / (double)samples;
    }
    char args[64];
    snprintf(args, sizeof(args), "\"pages\":%.0f", pages);
    counter(p, "working set (pages)", pid, t, args);
}

static const char *const fault_keys[] = {"addr", "access", "ip",  "insn",  "func", "line",
                                         "via",  "vma",    "pfn", "major", NULL};
static const char *const fork_keys[] = {"child", "flags", NULL};
static const char *const signal_keys[] = {"name", "code", "action", NULL};
static const char *const exit_keys[] = {"status", "signal", NULL};
static const char *const pagecache_keys[] = {"file", "index",   "pages",  "pfn", "hit",
                                             "size", "trigger", "reason", NULL};
static const char *const no_keys[] = {NULL};

static void name_event(struct perfetto *p, const struct json *ev, const char *type, int pid,
                       int tid, uint64_t t)
{
    const char *name = json_string(json_get(ev, type[0] == 'e' ? "program" : "comm"), "?");
    char label[96];
    snprintf(label, sizeof(label), "%s %s", type, name);
    instant(p, label, "proc", 'p', ev, pid, tid, t, no_keys);
    if (type[0] == 'e')
        set_name(&p->procs, &p->nprocs, pid, pid, name);
    set_name(&p->threads, &p->nthreads, tid, pid, name);
}

static void fork_event(struct perfetto *p, const struct json *ev, const char *type, int pid,
                       int tid, uint64_t t)
{
    instant(p, type, "proc", 't', ev, pid, tid, t, fork_keys);
    int child = (int)json_int(json_get(ev, "child"), 0);
    const char *parent = name_of(p->procs, p->nprocs, pid);
    if (!parent)
        return;
    if (type[0] == 'f')
        set_name(&p->procs, &p->nprocs, child, child, parent);
    set_name(&p->threads, &p->nthreads, child, type[0] == 'f' ? child : pid, parent);
}

/* Every task gets a named track: the first program's name until it has its own. */
static void note_task(struct perfetto *p, int pid, int tid)
{
    if (pid <= 0 || name_of(p->threads, p->nthreads, tid))
        return;
    const char *name = name_of(p->procs, p->nprocs, pid);
    if (!name) {
        name = p->program ? p->program : "?";
        set_name(&p->procs, &p->nprocs, pid, pid, name);
    }
    set_name(&p->threads, &p->nthreads, tid, pid, name);
}

bool perfetto_add(struct perfetto *p, const struct json *ev)
{
    const char *type = json_string(json_get(ev, "type"), "");
    int pid = (int)json_int(json_get(ev, "pid"), 0), tid = (int)json_int(json_get(ev, "tid"), 0);
    uint64_t t = (uint64_t)json_int(json_get(ev, "t"), 0);
    char label[64];
    note_task(p, pid, tid);
    if (!strcmp(type, "header")) {
        free(p->program);
        p->program = strdup(json_string(json_get(ev, "program"), "?"));
    } else if (!strcmp(type, "syscall")) {
        syscall_slice(p, ev, pid, tid, t);
    } else if (!strcmp(type, "fault")) {
        snprintf(label, sizeof(label), "fault %s", json_string(json_get(ev, "kind"), "?"));
        instant(p, label, "fault", 't', ev, pid, tid, t, fault_keys);
    } else if (!strcmp(type, "exec") || !strcmp(type, "rename")) {
        name_event(p, ev, type, pid, tid, t);
    } else if (!strcmp(type, "fork") || !strcmp(type, "clone")) {
        fork_event(p, ev, type, pid, tid, t);
    } else if (!strcmp(type, "signal")) {
        instant(p, json_string(json_get(ev, "name"), "signal"), "proc", 't', ev, pid, tid, t,
                signal_keys);
    } else if (!strcmp(type, "exit")) {
        instant(p, "exit", "proc", 't', ev, pid, tid, t, exit_keys);
    } else if (!strcmp(type, "pagecache")) {
        snprintf(label, sizeof(label), "pagecache %s", json_string(json_get(ev, "op"), "?"));
        instant(p, label, "pagecache", 'p', ev, pid, tid, t, pagecache_keys);
    } else if (!strcmp(type, "memory")) {
        memory_counters(p, ev, t);
    } else if (!strcmp(type, "access")) {
        access_counter(p, ev, pid, t);
    }
    return !ferror(p->out);
}

static void metadata(struct perfetto *p, const char *what, int pid, int tid, const char *name)
{
    fprintf(p->out, "%s{\"name\":\"%s\",\"ph\":\"M\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":",
            p->events++ ? ",\n" : "", what, pid, tid);
    trace_json_string(p->out, name);
    fputs("}}", p->out);
}

bool perfetto_close(struct perfetto *p)
{
    metadata(p, "process_name", 0, 0, "vmemu (machine)");
    for (size_t i = 0; i < p->nprocs; i++)
        metadata(p, "process_name", p->procs[i].id, 0, p->procs[i].name);
    for (size_t i = 0; i < p->nthreads; i++)
        metadata(p, "thread_name", p->threads[i].pid, p->threads[i].id, p->threads[i].name);
    fputs("\n],\"otherData\":{\"generator\":\"vmemu\",\"program\":", p->out);
    trace_json_string(p->out, p->program ? p->program : "?");
    fputs("}}\n", p->out);
    bool ok = !ferror(p->out);
    for (size_t i = 0; i < p->nprocs; i++)
        free(p->procs[i].name);
    for (size_t i = 0; i < p->nthreads; i++)
        free(p->threads[i].name);
    free(p->procs);
    free(p->threads);
    free(p->program);
    free(p);
    return ok;
}
