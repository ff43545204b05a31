/*
 * Building the report's model from trace events (report_model.h).
 *
 * VMAs: each process keeps the set of VMAs mapped now ("live" bands). A
 * change naming [start, end) closes every live band it overlaps at the
 * event's time, reopens the parts of them it does not cover, and (unless
 * it is a removal) opens the new band: so a split shows as bands meeting
 * at one time, a merge as one band replacing two, an unmap as bands that
 * end. exec closes them all, fork copies the parent's, and the process's
 * end closes what is left. Bands that last no time are dropped.
 */
#include "emu/trace/report_model.h"
#include "emu/trace/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define vec_push(m, vec, item)                                                                     \
    do {                                                                                           \
        if ((vec).n == (vec).cap && !vec_grow((void **)&(vec).v, &(vec).cap, sizeof(*(vec).v))) {  \
            (m)->out_of_memory = true;                                                             \
            break;                                                                                 \
        }                                                                                          \
        (vec).v[(vec).n++] = (item);                                                               \
    } while (0)

static bool vec_grow(void **v, size_t *cap, size_t size)
{
    size_t c = *cap ? *cap * 2 : 16;
    void *p = realloc(*v, c * size);
    if (!p)
        return false;
    *v = p;
    *cap = c;
    return true;
}

/* ---- interned strings: one copy of each, compared by address ---------------------------- */

struct intern_table {
    char **slots;
    size_t n, cap;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static bool intern_grow(struct intern_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 256;
    char **slots = calloc(cap, sizeof(*slots));
    if (!slots)
        return false;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i])
            continue;
        size_t j = hash_str(t->slots[i]) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return true;
}

static const char *intern(struct report_model *m, const char *s)
{
    struct intern_table *t = m->strings;
    if (!s)
        return NULL;
    if ((t->n + 1) * 2 > t->cap && !intern_grow(t)) {
        m->out_of_memory = true;
        return "";
    }
    size_t j = hash_str(s) & (t->cap - 1);
    while (t->slots[j]) {
        if (strcmp(t->slots[j], s) == 0)
            return t->slots[j];
        j = (j + 1) & (t->cap - 1);
    }
    if (!(t->slots[j] = strdup(s))) {
        m->out_of_memory = true;
        return "";
    }
    t->n++;
    return t->slots[j];
}

/* ---- fault sites: an index from (ip, insn, func, line) to the sites table ------------------- */

struct site_index {
    uint32_t *slots; /* site number + 1; 0 is empty */
    size_t cap;
};

static uint64_t site_hash(uint64_t ip, const char *insn, const char *func, const char *line)
{
    uint64_t h = ip * 0x9e3779b97f4a7c15ULL;
    h ^=
        (uint64_t)(uintptr_t)insn * 31 + (uint64_t)(uintptr_t)func * 17 + (uint64_t)(uintptr_t)line;
    return h ^ (h >> 29);
}

static bool site_index_grow(struct report_model *m)
{
    struct site_index *x = m->site_index;
    size_t cap = x->cap ? x->cap * 2 : 1024;
    uint32_t *slots = calloc(cap, sizeof(*slots));
    if (!slots)
        return false;
    for (size_t i = 0; i < m->sites.n; i++) {
        const struct fault_site *s = &m->sites.v[i];
        size_t j = site_hash(s->ip, s->insn, s->func, s->line) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = (uint32_t)i + 1;
    }
    free(x->slots);
    x->slots = slots;
    x->cap = cap;
    return true;
}

static uint32_t site_of(struct report_model *m, uint64_t ip, const char *insn, const char *func,
                        const char *line)
{
    struct site_index *x = m->site_index;
    if ((m->sites.n + 1) * 2 > x->cap && !site_index_grow(m)) {
        m->out_of_memory = true;
        return 0;
    }
    size_t j = site_hash(ip, insn, func, line) & (x->cap - 1);
    while (x->slots[j]) {
        struct fault_site *s = &m->sites.v[x->slots[j] - 1];
        if (s->ip == ip && s->insn == insn && s->func == func && s->line == line)
            return x->slots[j] - 1;
        j = (j + 1) & (x->cap - 1);
    }
    struct fault_site s = {ip, insn, func, line, 0};
    vec_push(m, m->sites, s);
    if (m->out_of_memory)
        return 0;
    x->slots[j] = (uint32_t)m->sites.n;
    return (uint32_t)m->sites.n - 1;
}

/* ---- the model ------------------------------------------------------------------------ */

static const char *const canonical_kinds[] = {
    "anon-zero", "anon-new",   "file-minor", "file-major", "cow",    "wp-reuse",
    "swap-in",   "stack-grow", "spurious",   "segv",       "sigbus", "oom",
};

bool model_init(struct report_model *m)
{
    memset(m, 0, sizeof(*m));
    m->strings = calloc(1, sizeof(*m->strings));
    m->site_index = calloc(1, sizeof(*m->site_index));
    if (!m->strings || !m->site_index)
        return false;
    for (size_t i = 0; i < sizeof(canonical_kinds) / sizeof(canonical_kinds[0]); i++)
        vec_push(m, m->kinds, intern(m, canonical_kinds[i]));
    return !m->out_of_memory;
}

static void proc_free(struct proc *p)
{
    free(p->bands.v);
    free(p->live.v);
    free(p->faults.v);
    for (size_t i = 0; i < p->access.n; i++)
        free(p->access.v[i].regions);
    free(p->access.v);
    free(p->rss.v);
    free(p->markers.v);
}

void model_free(struct report_model *m)
{
    for (size_t i = 0; i < m->procs.n; i++)
        proc_free(&m->procs.v[i]);
    free(m->procs.v);
    free(m->argv.v);
    free(m->sites.v);
    free(m->kinds.v);
    free(m->memory.v);
    for (size_t i = 0; i < m->zones.n; i++)
        free(m->zones.v[i].points.v);
    free(m->zones.v);
    free(m->frames.v);
    free(m->syscalls.v);
    if (m->strings) {
        for (size_t i = 0; i < m->strings->cap; i++)
            free(m->strings->slots[i]);
        free(m->strings->slots);
        free(m->strings);
    }
    if (m->site_index)
        free(m->site_index->slots);
    free(m->site_index);
}

static struct proc *find_proc(struct report_model *m, int pid)
{
    for (size_t i = 0; i < m->procs.n; i++)
        if (m->procs.v[i].pid == pid)
            return &m->procs.v[i];
    return NULL;
}

static struct proc *get_proc(struct report_model *m, int pid, uint64_t t)
{
    struct proc *p = find_proc(m, pid);
    if (p || pid <= 0)
        return p;
    struct proc fresh = {.pid = pid, .program = m->program, .t_start = t, .live_tasks = 1};
    vec_push(m, m->procs, fresh);
    return m->out_of_memory ? NULL : &m->procs.v[m->procs.n - 1];
}

/* ---- bands ------------------------------------------------------------------------------ */

const char *vma_kind(const char *program, const char *name, const char *prot)
{
    if (!strcmp(name, "[heap]"))
        return "heap";
    if (!strcmp(name, "[stack]"))
        return "stack";
    if (!strcmp(name, "[vdso]") || !strncmp(name, "[vvar", 5))
        return "vdso";
    if (strlen(prot) >= 4 && prot[3] == 's')
        return "shared";
    if (program && !strcmp(name, program))
        return prot[2] == 'x' ? "text" : "data";
    if (name[0] && name[0] != '[')
        return "file";
    return "anon"; /* unnamed, as /proc/PID/maps leaves plain anonymous memory */
}

static const char *band_kind(struct report_model *m, const struct proc *p, const char *name,
                             const char *prot)
{
    return intern(m, vma_kind(p->program, name, prot));
}

static void close_band(struct report_model *m, struct proc *p, struct band b, uint64_t t)
{
    b.t1 = t;
    if (b.t1 > b.t0)
        vec_push(m, p->bands, b);
}

static void open_band(struct report_model *m, struct proc *p, struct band b, uint64_t t)
{
    b.t0 = t;
    vec_push(m, p->live, b);
}

/* [start, end) changes at t: close what it overlaps, keep the rest; open b unless NULL. */
static void set_range(struct report_model *m, struct proc *p, uint64_t start, uint64_t end,
                      const struct band *b, uint64_t t)
{
    for (size_t i = 0; i < p->live.n;) {
        struct band old = p->live.v[i];
        if (old.end <= start || old.start >= end) {
            i++;
            continue;
        }
        p->live.v[i] = p->live.v[--p->live.n];
        close_band(m, p, old, t);
        struct band left = old, right = old;
        left.end = start;
        right.start = end;
        if (old.start < start)
            open_band(m, p, left, t);
        if (old.end > end)
            open_band(m, p, right, t);
    }
    if (b)
        open_band(m, p, *b, t);
}

static void close_all(struct report_model *m, struct proc *p, uint64_t t)
{
    for (size_t i = 0; i < p->live.n; i++)
        close_band(m, p, p->live.v[i], t);
    p->live.n = 0;
}

/* A VMA as the trace gives it (start, end, prot, name) onto the process's map at t. */
static void apply_vma(struct report_model *m, struct proc *p, const struct json *v, const char *op,
                      uint64_t t)
{
    uint64_t start = (uint64_t)json_int(json_get(v, "start"), 0);
    uint64_t end = (uint64_t)json_int(json_get(v, "end"), 0);
    const char *prot = json_string(json_get(v, "prot"), "----");
    const char *name = json_string(json_get(v, "name"), "?");
    if (end <= start || strlen(prot) != 4)
        return;
    struct band b = {start,          end, 0, 0, band_kind(m, p, name, prot), intern(m, prot),
                     intern(m, name)};
    set_range(m, p, start, end, strcmp(op, "removed") ? &b : NULL, t);
}

/* ---- events ------------------------------------------------------------------------------ */

struct event {
    const struct json *ev;
    const char *type;
    int pid, tid;
    uint64_t t;
};

static uint8_t kind_index(struct report_model *m, const char *kind)
{
    const char *k = intern(m, kind);
    for (size_t i = 0; i < m->kinds.n; i++)
        if (m->kinds.v[i] == k)
            return (uint8_t)i;
    if (m->kinds.n < 255)
        vec_push(m, m->kinds, k);
    return (uint8_t)(m->kinds.n - 1);
}

static void on_fault(struct report_model *m, const struct event *e)
{
    struct proc *p = get_proc(m, e->pid, e->t);
    if (!p)
        return;
    const char *kind = json_string(json_get(e->ev, "kind"), "?");
    const struct json *vma = json_get(e->ev, "vma");
    if (!strcmp(kind, "stack-grow") && vma && vma->type == JSON_OBJECT)
        apply_vma(m, p, vma, "changed", e->t); /* growth shows in no mm event */
    const char *access = json_string(json_get(e->ev, "access"), "read");
    struct fault_point f = {
        .t = e->t,
        .addr = (uint64_t)json_int(json_get(e->ev, "addr"), 0),
        .pfn = (uint64_t)json_int(json_get(e->ev, "pfn"), 0),
        .site = site_of(m, (uint64_t)json_int(json_get(e->ev, "ip"), 0),
                        intern(m, json_string(json_get(e->ev, "insn"), "?")),
                        intern(m, json_string(json_get(e->ev, "func"), NULL)),
                        intern(m, json_string(json_get(e->ev, "line"), NULL))),
        .kind = kind_index(m, kind),
        .access = access[0] == 'w'   ? 'w'
                  : access[0] == 'e' ? 'x'
                                     : 'r',
    };
    if (!m->out_of_memory)
        m->sites.v[f.site].count++;
    vec_push(m, p->faults, f);
}

static void on_mm(struct report_model *m, const struct event *e)
{
    struct proc *p = get_proc(m, e->pid, e->t);
    const struct json *changes = json_get(e->ev, "changes");
    for (size_t i = 0; p && changes && i < changes->len; i++) {
        const struct json *c = json_at(changes, i);
        apply_vma(m, p, c, json_string(json_get(c, "op"), "changed"), e->t);
    }
}

static void on_syscall(struct report_model *m, const struct event *e)
{
    const char *name = intern(m, json_string(json_get(e->ev, "name"), "?"));
    const struct json *err = json_get(e->ev, "errno");
    struct syscall_stat *s = NULL;
    for (size_t i = 0; i < m->syscalls.n && !s; i++)
        if (m->syscalls.v[i].name == name)
            s = &m->syscalls.v[i];
    if (!s) {
        struct syscall_stat fresh = {name, 0, 0, 0};
        vec_push(m, m->syscalls, fresh);
        if (m->out_of_memory)
            return;
        s = &m->syscalls.v[m->syscalls.n - 1];
    }
    s->calls++;
    s->errors += err && err->type == JSON_STRING;
    s->ns += (uint64_t)json_int(json_get(e->ev, "dur"), 0);
}

static void add_marker(struct report_model *m, struct proc *p, uint64_t t, const char *label)
{
    struct marker mk = {t, intern(m, label)};
    vec_push(m, p->markers, mk);
}

static void on_exec(struct report_model *m, const struct event *e)
{
    struct proc *p = get_proc(m, e->pid, e->t);
    if (!p)
        return;
    close_all(m, p, e->t);
    p->program = intern(m, json_string(json_get(e->ev, "program"), "?"));
    add_marker(m, p, e->t, p->program);
}

static void on_rename(struct report_model *m, const struct event *e)
{
    struct proc *p = get_proc(m, e->pid, e->t);
    if (p)
        add_marker(m, p, e->t, json_string(json_get(e->ev, "comm"), "?"));
}

static void on_fork(struct report_model *m, const struct event *e, bool thread)
{
    struct proc *parent = get_proc(m, e->pid, e->t);
    if (thread) {
        if (parent)
            parent->live_tasks++;
        return;
    }
    int child = (int)json_int(json_get(e->ev, "child"), 0);
    struct proc *c = get_proc(m, child, e->t);
    parent = find_proc(m, e->pid); /* get_proc may have moved the array */
    if (!c || !parent)
        return;
    c->program = parent->program;
    for (size_t i = 0; i < parent->live.n; i++)
        open_band(m, c, parent->live.v[i], e->t);
}

static void on_task_exit(struct report_model *m, const struct event *e)
{
    struct proc *p = get_proc(m, e->pid, e->t);
    if (p && --p->live_tasks <= 0) {
        close_all(m, p, e->t);
        p->ended = true;
        p->t_end = e->t;
    }
}

static void on_access(struct report_model *m, const struct event *e)
{
    struct proc *p = get_proc(m, e->pid, e->t);
    const struct json *r = json_get(e->ev, "regions");
    if (!p || !r || r->type != JSON_ARRAY)
        return;
    unsigned int samples = (unsigned int)json_int(json_get(e->ev, "samples"), 0);
    struct access_agg a = {e->t, (uint64_t)json_int(json_get(e->ev, "interval"), 0) * samples,
                           samples, 0, calloc(r->len ? r->len * 3 : 1, sizeof(uint64_t))};
    if (!a.regions) {
        m->out_of_memory = true;
        return;
    }
    for (size_t i = 0; i < r->len; i++) {
        const struct json *x = json_at(r, i);
        a.regions[3 * a.nregions] = (uint64_t)json_int(json_at(x, 0), 0);
        a.regions[3 * a.nregions + 1] = (uint64_t)json_int(json_at(x, 1), 0);
        a.regions[3 * a.nregions + 2] = (uint64_t)json_int(json_at(x, 2), 0);
        a.nregions++;
    }
    vec_push(m, p->access, a);
    if (m->out_of_memory)
        free(a.regions);
}

static struct zone_series *zone_named(struct report_model *m, const char *name)
{
    for (size_t i = 0; i < m->zones.n; i++)
        if (m->zones.v[i].name == name)
            return &m->zones.v[i];
    struct zone_series z = {.name = name};
    vec_push(m, m->zones, z);
    return m->out_of_memory ? NULL : &m->zones.v[m->zones.n - 1];
}

static void on_memory(struct report_model *m, const struct event *e)
{
    static const char *const keys[MEM_SERIES] = {"total", "free",      "anon", "file",      "shmem",
                                                 "dirty", "writeback", "slab", "pagetables"};
    struct mem_point mp = {.t = e->t};
    for (int i = 0; i < MEM_SERIES; i++)
        mp.v[i] = (unsigned long)json_int(json_get(e->ev, keys[i]), 0);
    vec_push(m, m->memory, mp);
    const struct json *rss = json_get(e->ev, "rss");
    for (size_t i = 0; rss && i < rss->len; i++) {
        const struct json *r = json_at(rss, i);
        struct proc *p = get_proc(m, (int)json_int(json_at(r, 0), 0), e->t);
        struct rss_point pt = {e->t, (unsigned long)json_int(json_at(r, 1), 0),
                               (unsigned long)json_int(json_at(r, 2), 0),
                               (unsigned long)json_int(json_at(r, 3), 0)};
        if (p)
            vec_push(m, p->rss, pt);
    }
    const struct json *zones = json_get(e->ev, "zones");
    for (size_t i = 0; zones && i < zones->len; i++) {
        const struct json *z = json_at(zones, i);
        struct zone_series *zs = zone_named(m, intern(m, json_string(json_get(z, "name"), "?")));
        if (!zs)
            return;
        zs->managed = (unsigned long)json_int(json_get(z, "managed"), 0);
        struct zone_point zp = {.t = e->t, .free = (unsigned long)json_int(json_get(z, "free"), 0)};
        const struct json *b = json_get(z, "buddy");
        for (int o = 0; o < NR_ORDERS; o++)
            zp.buddy[o] = (unsigned long)json_int(json_at(b, (size_t)o), 0);
        vec_push(m, zs->points, zp);
    }
}

static void on_frames(struct report_model *m, const struct event *e)
{
    const struct json *runs = json_get(e->ev, "runs");
    m->frames.n = 0;
    m->frames_total = (unsigned long)json_int(json_get(e->ev, "total"), 0);
    for (size_t i = 0; runs && i < runs->len; i++) {
        const struct json *r = json_at(runs, i);
        struct frame_run fr = {intern(m, json_string(json_at(r, 0), "?")),
                               (unsigned long)json_int(json_at(r, 1), 0)};
        vec_push(m, m->frames, fr);
    }
}

static bool on_header(struct report_model *m, const struct json *ev, const char **why)
{
    if (strcmp(json_string(json_get(ev, "schema"), ""), "vmemu-trace") != 0) {
        *why = "not a vmemu trace (no vmemu-trace header)";
        return false;
    }
    if (json_int(json_get(ev, "version"), 0) != TRACE_SCHEMA_VERSION) {
        static char msg[80];
        snprintf(msg, sizeof(msg),
                 "a trace of another schema version (this vmemu reads version %d)",
                 TRACE_SCHEMA_VERSION);
        *why = msg;
        return false;
    }
    m->program = intern(m, json_string(json_get(ev, "program"), "?"));
    const struct json *argv = json_get(ev, "argv");
    for (size_t i = 0; argv && i < argv->len; i++)
        vec_push(m, m->argv, intern(m, json_string(json_at(argv, i), "")));
    return true;
}

bool model_add(struct report_model *m, const struct json *ev, const char **why)
{
    const char *type = json_string(json_get(ev, "type"), NULL);
    if (!type) {
        *why = "an event without a type";
        return false;
    }
    if (!strcmp(type, "header"))
        return on_header(m, ev, why);
    if (!m->program) {
        *why = "events before the header";
        return false;
    }
    struct event e = {ev, type, (int)json_int(json_get(ev, "pid"), 0),
                      (int)json_int(json_get(ev, "tid"), 0),
                      (uint64_t)json_int(json_get(ev, "t"), 0)};
    if (e.t > m->t_end)
        m->t_end = e.t;
    if (!strcmp(type, "fault"))
        on_fault(m, &e);
    else if (!strcmp(type, "mm"))
        on_mm(m, &e);
    else if (!strcmp(type, "syscall"))
        on_syscall(m, &e);
    else if (!strcmp(type, "exec"))
        on_exec(m, &e);
    else if (!strcmp(type, "rename"))
        on_rename(m, &e);
    else if (!strcmp(type, "fork") || !strcmp(type, "clone"))
        on_fork(m, &e, type[0] == 'c');
    else if (!strcmp(type, "exit"))
        on_task_exit(m, &e);
    else if (!strcmp(type, "access"))
        on_access(m, &e);
    else if (!strcmp(type, "memory"))
        on_memory(m, &e);
    else if (!strcmp(type, "frames"))
        on_frames(m, &e);
    /* pagecache, signal, sigreturn: not drawn */
    if (m->out_of_memory) {
        *why = "out of memory";
        return false;
    }
    return true;
}

void model_finish(struct report_model *m)
{
    for (size_t i = 0; i < m->procs.n; i++) {
        struct proc *p = &m->procs.v[i];
        if (!p->ended)
            p->t_end = m->t_end;
        close_all(m, p, p->t_end);
    }
}
