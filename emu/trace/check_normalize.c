/*
 * The normalized level (check_normalize.h), in two passes over the trace.
 * The first gives every frame reference an identity: a fault that
 * allocates (anon-new, cow, stack-grow, file-major, swap-in) starts a new
 * one; any other reference continues the identity the frame had if it
 * still holds the same thing (the same file page, or anonymous memory),
 * so a frame freed and reused for something else is a new identity, and
 * the allocator's choice of frames never shows. The second pass writes
 * the events, replaying each process's map to name addresses.
 */
#include "emu/trace/check_normalize.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/trace/check_events.h"
#include "emu/trace/check_level.h"
#include "emu/trace/check_vmamap.h"
#include "emu/trace/trace.h"

#define NO_FRAME (-1)
#define ZERO_FRAME (-2)

/* What a frame holds: a page of a named mapping (file, shmem, vDSO), or anonymous memory. */
struct frame_key {
    const char *name; /* interned; NULL for anonymous memory */
    uint64_t index;   /* the page in the file */
};

struct frame_slot {
    uint64_t pfn_plus_1; /* 0: an empty slot */
    int id;
    struct frame_key key;
};

/* A frame's life: what it held, how often it was seen, what it is called. */
struct identity {
    struct frame_key key;
    unsigned refs;
    unsigned generation; /* named: which life of that file page (1 for the first) */
    unsigned label;      /* anonymous, seen more than once: its number */
};

/* How many lives a file page has had so far. */
struct generation_slot {
    struct frame_key key; /* name NULL: an empty slot */
    unsigned count;
};

struct norm {
    struct frame_slot *slots;
    size_t nslots, used;
    struct generation_slot *gens;
    size_t ngens, gens_used;
    int *event_frame; /* per event: an identity, NO_FRAME or ZERO_FRAME */
    size_t nevents, events_cap;
    struct identity *ids;
    size_t nids, ids_cap;
    struct name_set names; /* the file names frames were seen holding, one copy each */
    struct vmamap map;
    FILE *out;
    unsigned int cats, flags;
    bool oom;
};

static uint64_t hex_field(const struct json *obj, const char *key)
{
    return (uint64_t)json_int(json_get(obj, key), 0);
}

/* ---- pass 1: frame identities ------------------------------------------------------------ */

static const char *intern(struct norm *n, const char *name)
{
    const char *copy = name_set_intern(&n->names, name);
    n->oom |= !copy;
    return copy ? copy : "";
}

static uint64_t mix(uint64_t x)
{
    return x * 0x9e3779b97f4a7c15ULL;
}

static struct frame_slot *slot_of(struct norm *n, uint64_t pfn)
{
    if (n->used * 2 >= n->nslots) {
        size_t cap = n->nslots ? n->nslots * 2 : 1024;
        struct frame_slot *s = calloc(cap, sizeof(*s));
        if (!s) {
            n->oom = true;
            return NULL;
        }
        for (size_t i = 0; i < n->nslots; i++) {
            if (!n->slots[i].pfn_plus_1)
                continue;
            size_t j = mix(n->slots[i].pfn_plus_1) & (cap - 1);
            while (s[j].pfn_plus_1)
                j = (j + 1) & (cap - 1);
            s[j] = n->slots[i];
        }
        free(n->slots);
        n->slots = s;
        n->nslots = cap;
    }
    size_t j = mix(pfn + 1) & (n->nslots - 1);
    while (n->slots[j].pfn_plus_1 && n->slots[j].pfn_plus_1 != pfn + 1)
        j = (j + 1) & (n->nslots - 1);
    if (!n->slots[j].pfn_plus_1) {
        n->slots[j].pfn_plus_1 = pfn + 1;
        n->slots[j].id = NO_FRAME;
        n->used++;
    }
    return &n->slots[j];
}

/* The next life of a file page: 1 for its first. */
static unsigned next_generation(struct norm *n, struct frame_key key)
{
    if (n->gens_used * 2 >= n->ngens) {
        size_t cap = n->ngens ? n->ngens * 2 : 1024;
        struct generation_slot *g = calloc(cap, sizeof(*g));
        if (!g) {
            n->oom = true;
            return 1;
        }
        for (size_t i = 0; i < n->ngens; i++) {
            if (!n->gens[i].key.name)
                continue;
            size_t j = mix((uintptr_t)n->gens[i].key.name ^ mix(n->gens[i].key.index)) & (cap - 1);
            while (g[j].key.name)
                j = (j + 1) & (cap - 1);
            g[j] = n->gens[i];
        }
        free(n->gens);
        n->gens = g;
        n->ngens = cap;
    }
    size_t j = mix((uintptr_t)key.name ^ mix(key.index)) & (n->ngens - 1);
    while (n->gens[j].key.name &&
           (n->gens[j].key.name != key.name || n->gens[j].key.index != key.index))
        j = (j + 1) & (n->ngens - 1);
    if (!n->gens[j].key.name) {
        n->gens[j].key = key;
        n->gens_used++;
    }
    return ++n->gens[j].count;
}

static int new_identity(struct norm *n, struct frame_key key)
{
    if (!check_grow((void **)&n->ids, &n->ids_cap, n->nids + 1, sizeof(*n->ids))) {
        n->oom = true;
        return NO_FRAME;
    }
    struct identity *id = &n->ids[n->nids];
    memset(id, 0, sizeof(*id));
    id->key = key;
    if (key.name)
        id->generation = next_generation(n, key);
    return (int)n->nids++;
}

/* pfn now holds what key says: its identity, new when fresh or when it held something else. */
static int identify(struct norm *n, uint64_t pfn, struct frame_key key, bool fresh)
{
    struct frame_slot *s = slot_of(n, pfn);
    if (!s)
        return NO_FRAME;
    bool same = s->id != NO_FRAME && s->key.name == key.name && s->key.index == key.index;
    if (fresh || !same) {
        s->id = new_identity(n, key);
        s->key = key;
    }
    if (s->id != NO_FRAME)
        n->ids[s->id].refs++;
    return s->id;
}

static bool allocating_kind(const char *kind)
{
    static const char *const fresh[] = {"anon-new", "cow", "stack-grow", "file-major", "swap-in"};
    for (size_t i = 0; i < sizeof(fresh) / sizeof(fresh[0]); i++)
        if (!strcmp(kind, fresh[i]))
            return true;
    return false;
}

/* A fault's page: of its named mapping by page index in the file, or anonymous. */
static struct frame_key fault_key(struct norm *n, const struct json *ev)
{
    const struct json *vma = json_get(ev, "vma");
    const char *name = json_string(json_get(vma, "name"), "");
    struct frame_key k = {NULL, 0};
    if (!*name || !strcmp(name, "[heap]") || !strcmp(name, "[stack]"))
        return k;
    uint64_t off = hex_field(vma, "offset") + hex_field(ev, "addr") - hex_field(vma, "start");
    k.name = intern(n, name);
    k.index = off >> 12;
    return k;
}

static int frame_of_event(struct norm *n, const struct json *ev)
{
    const char *type = event_type(ev);
    uint64_t pfn = hex_field(ev, "pfn");
    if (!pfn)
        return NO_FRAME;
    if (!strcmp(type, "fault")) {
        const char *kind = json_string(json_get(ev, "kind"), "");
        if (!strcmp(kind, "anon-zero"))
            return ZERO_FRAME;
        return identify(n, pfn, fault_key(n, ev), allocating_kind(kind));
    }
    if (!strcmp(type, "pagecache")) {
        struct frame_key k = {intern(n, json_string(json_get(ev, "file"), "")),
                              hex_field(ev, "index")};
        return identify(n, pfn, k, false);
    }
    return NO_FRAME;
}

static bool pass1(const struct json *ev, size_t index, void *ctx)
{
    struct norm *n = ctx;
    if (!check_grow((void **)&n->event_frame, &n->events_cap, index + 1, sizeof(int))) {
        n->oom = true;
        return false;
    }
    n->event_frame[index] = frame_of_event(n, ev);
    n->nevents = index + 1;
    return !n->oom;
}

/* Number the anonymous identities seen more than once, in order of first appearance. */
static void label_identities(struct norm *n)
{
    unsigned next = 0;
    for (size_t i = 0; i < n->nids; i++)
        n->ids[i].label = !n->ids[i].key.name && n->ids[i].refs > 1 ? ++next : 0;
}

/* ---- pass 2: writing ---------------------------------------------------------------------- */

static bool named_file(const char *name)
{
    return name[0] && name[0] != '[';
}

static struct vmamap_vma vma_of(const struct json *v)
{
    struct vmamap_vma vma = {hex_field(v, "start"), hex_field(v, "end"), hex_field(v, "offset"), "",
                             json_string(json_get(v, "name"), "")};
    snprintf(vma.prot, sizeof(vma.prot), "%s", json_string(json_get(v, "prot"), "----"));
    return vma;
}

static void put_addr_in(struct norm *n, const struct vmamap_vma *v, uint64_t a)
{
    if (!strcmp(v->name, "[stack]"))
        fprintf(n->out, "[stack]-0x%" PRIx64, v->end - a);
    else if (named_file(v->name))
        fprintf(n->out, "%s@0x%" PRIx64, v->name, v->offset + (a - v->start));
    else
        fprintf(n->out, "%s+0x%" PRIx64, v->name[0] ? v->name : "anon", a - v->start);
}

/*
 * An address of pid: named by its VMA when addresses are normalized and
 * one holds it, or by one that held it before it was unmapped.
 */
static void put_addr(struct norm *n, int pid, uint64_t a)
{
    bool named = n->flags & NORMALIZE_ADDRESSES;
    const struct vmamap_vma *v = named ? vmamap_find(&n->map, pid, a) : NULL;
    const struct vmamap_vma *gone = named && !v ? vmamap_find_gone(&n->map, pid, a) : NULL;
    if (v) {
        put_addr_in(n, v, a);
    } else if (gone) {
        fputs("unmapped:", n->out);
        put_addr_in(n, gone, a);
    } else {
        fprintf(n->out, "0x%" PRIx64, a);
    }
}

static void put_vma(struct norm *n, const struct vmamap_vma *v)
{
    if (!(n->flags & NORMALIZE_ADDRESSES)) {
        fprintf(n->out, "%" PRIx64 "-%" PRIx64 " %s%s%s", v->start, v->end, v->prot,
                v->name[0] ? " " : "", v->name);
        return;
    }
    if (named_file(v->name))
        fprintf(n->out, "%s@0x%" PRIx64, v->name, v->offset);
    else
        fputs(v->name[0] ? v->name : "anon", n->out);
    fprintf(n->out, " %s 0x%" PRIx64, v->prot, v->end - v->start);
}

/* Text with every 0x... number that is an address of pid named by its VMA. */
static void put_text(struct norm *n, int pid, const char *s)
{
    while (*s) {
        const char *hex = strstr(s, "0x");
        if (!hex || !(n->flags & NORMALIZE_ADDRESSES)) {
            fputs(s, n->out);
            return;
        }
        fwrite(s, 1, (size_t)(hex - s), n->out);
        char *end;
        uint64_t a = strtoull(hex, &end, 16);
        const struct vmamap_vma *v = end > hex + 2 ? vmamap_find(&n->map, pid, a) : NULL;
        if (v)
            put_addr_in(n, v, a);
        else
            fwrite(hex, 1, (size_t)(end > hex + 2 ? end - hex : 2), n->out);
        s = end > hex + 2 ? end : hex + 2;
    }
}

/* A file page's frame by the page it holds (NAME:INDEX, /LIFE from its second life on). */
static void put_frame(struct norm *n, size_t index)
{
    int id = index < n->nevents ? n->event_frame[index] : NO_FRAME;
    const struct identity *f = id >= 0 ? &n->ids[id] : NULL;
    if (id == ZERO_FRAME)
        fputs(" frame=zero", n->out);
    else if (f && f->key.name)
        fprintf(n->out, " frame=%s:%" PRIu64, f->key.name, f->key.index);
    else if (f && f->label)
        fprintf(n->out, " frame=#%u", f->label);
    else if (f)
        fputs(" frame=*", n->out);
    if (f && f->key.name && f->generation > 1)
        fprintf(n->out, "/%u", f->generation);
}

static void put_count(struct norm *n, const struct json *ev, const char *key)
{
    int64_t v = json_int(json_get(ev, key), 0);
    if (v)
        fprintf(n->out, " %s=%" PRId64, key, v);
}

static void on_fault(struct norm *n, const struct json *ev, int pid, size_t index)
{
    const struct json *vj = json_get(ev, "vma");
    struct vmamap_vma vma = vma_of(vj);
    uint64_t addr = hex_field(ev, "addr");
    const char *kind = json_string(json_get(ev, "kind"), "?");
    if (!strcmp(kind, "stack-grow") && vj && vj->type == JSON_OBJECT)
        vmamap_apply(&n->map, pid, &vma, false); /* growth shows in no mm event */
    if (!(n->cats & TRACE_FAULT))
        return;
    fprintf(n->out, " fault %s %s ", kind, json_string(json_get(ev, "access"), "?"));
    if (vj && vj->type == JSON_OBJECT && n->flags & NORMALIZE_ADDRESSES)
        put_addr_in(n, &vma, addr);
    else
        put_addr(n, pid, addr); /* a refused access: named by the map, if it can be */
    /* A known function names the instruction wherever the code was placed. */
    const char *func = json_string(json_get(ev, "func"), NULL);
    const char *line = json_string(json_get(ev, "line"), NULL);
    const char *via = json_string(json_get(ev, "via"), NULL);
    fputs(" ip=", n->out);
    if (func && n->flags & NORMALIZE_ADDRESSES)
        fputs(func, n->out);
    else
        put_addr(n, pid, hex_field(ev, "ip"));
    fputs(" (", n->out);
    put_text(n, pid, json_string(json_get(ev, "insn"), "?"));
    fputc(')', n->out);
    if (func && !(n->flags & NORMALIZE_ADDRESSES))
        fprintf(n->out, " in %s", func);
    if (line)
        fprintf(n->out, " at %s", line);
    if (via)
        fprintf(n->out, " via %s", via);
    if (vj && vj->type == JSON_OBJECT) {
        fputs(" vma=", n->out);
        put_vma(n, &vma);
    }
    put_frame(n, index);
    put_count(n, ev, "around");
    put_count(n, ev, "readahead");
}

static void on_mm(struct norm *n, const struct json *ev, int pid)
{
    const struct json *args = json_get(ev, "args"), *changes = json_get(ev, "changes");
    bool show = n->cats & TRACE_MM;
    if (show) {
        fprintf(n->out, " mm %s(", json_string(json_get(ev, "call"), "?"));
        for (size_t i = 0; args && i < args->len; i++) {
            fputs(i ? ", " : "", n->out);
            put_addr(n, pid, (uint64_t)json_int(json_at(args, i), 0));
        }
        fputs(")", n->out);
    }
    for (size_t i = 0; changes && i < changes->len; i++) {
        const struct json *c = json_at(changes, i);
        struct vmamap_vma vma = vma_of(c);
        vmamap_apply(&n->map, pid, &vma, !strcmp(json_string(json_get(c, "op"), ""), "removed"));
    }
    if (!show)
        return;
    const char *result = json_string(json_get(ev, "result"), "?");
    fputs(" = ", n->out);
    if (result[0] == '-')
        fputs(result, n->out);
    else
        put_addr(n, pid, (uint64_t)json_int(json_get(ev, "result"), 0));
    for (size_t i = 0; changes && i < changes->len; i++) {
        const struct json *c = json_at(changes, i);
        struct vmamap_vma vma = vma_of(c);
        fprintf(n->out, "%s%s ", i ? "; " : " | ", json_string(json_get(c, "op"), "?"));
        put_vma(n, &vma);
    }
    put_count(n, ev, "dropped");
}

static void on_syscall(struct norm *n, const struct json *ev, int pid)
{
    const struct json *d = json_get(ev, "decoded");
    fprintf(n->out, " syscall %s(", json_string(json_get(ev, "name"), "?"));
    for (size_t i = 0; d && i < d->len; i++) {
        fputs(i ? ", " : "", n->out);
        put_text(n, pid, json_string(json_at(d, i), "?"));
    }
    fputs(") = ", n->out);
    put_text(n, pid, json_string(json_get(ev, "ret"), "?"));
}

static void on_pagecache(struct norm *n, const struct json *ev, size_t index)
{
    fprintf(n->out, " pagecache %s %s index=%" PRId64 " pages=%" PRId64,
            json_string(json_get(ev, "op"), "?"), json_string(json_get(ev, "file"), "?"),
            json_int(json_get(ev, "index"), 0), json_int(json_get(ev, "pages"), 0));
    const struct json *hit = json_get(ev, "hit");
    if (hit) {
        put_frame(n, index);
        fputs(hit->type == JSON_BOOL && hit->boolean ? " hit" : " miss", n->out);
    }
    static const char *const counts[] = {"size", "async_size"};
    for (size_t i = 0; i < 2; i++)
        if (json_get(ev, counts[i]))
            fprintf(n->out, " %s=%" PRId64, counts[i], json_int(json_get(ev, counts[i]), 0));
    static const char *const words[] = {"trigger", "reason"};
    for (size_t i = 0; i < 2; i++)
        if (json_get(ev, words[i]))
            fprintf(n->out, " %s=%s", words[i], json_string(json_get(ev, words[i]), "?"));
}

/* The process events: fork, clone, exec, rename, signal, sigreturn. */
static void on_proc(struct norm *n, const struct json *ev, const char *type, int pid)
{
    if (!strcmp(type, "fork"))
        vmamap_fork(&n->map, pid, (int)json_int(json_get(ev, "child"), 0));
    else if (!strcmp(type, "exec"))
        vmamap_exec(&n->map, pid);
    if (!(n->cats & TRACE_PROC))
        return;
    fprintf(n->out, " %s", type);
    if (!strcmp(type, "fork") || !strcmp(type, "clone"))
        fprintf(n->out, " child=%" PRId64 " flags=%s", json_int(json_get(ev, "child"), 0),
                json_string(json_get(ev, "flags"), "?"));
    else if (!strcmp(type, "exec"))
        fprintf(n->out, " %s", json_string(json_get(ev, "program"), "?"));
    else if (!strcmp(type, "rename"))
        fprintf(n->out, " %s", json_string(json_get(ev, "comm"), "?"));
    else if (!strcmp(type, "signal"))
        fprintf(n->out, " %s code=%" PRId64 " %s", json_string(json_get(ev, "name"), "?"),
                json_int(json_get(ev, "code"), 0), json_string(json_get(ev, "action"), "?"));
}

/* Which category shows an event type; 0 for the ones normalized never shows. */
static unsigned int category_of(const char *type)
{
    static const struct {
        const char *type;
        unsigned int cat;
    } map[] = {{"fault", TRACE_FAULT},         {"mm", TRACE_MM},       {"syscall", TRACE_SYSCALL},
               {"pagecache", TRACE_PAGECACHE}, {"fork", TRACE_PROC},   {"clone", TRACE_PROC},
               {"exec", TRACE_PROC},           {"rename", TRACE_PROC}, {"signal", TRACE_PROC},
               {"sigreturn", TRACE_PROC},      {"exit", ~0u}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcmp(type, map[i].type))
            return map[i].cat;
    return 0;
}

static bool pass2(const struct json *ev, size_t index, void *ctx)
{
    struct norm *n = ctx;
    const char *type = event_type(ev);
    unsigned int cat = category_of(type);
    int pid = event_pid(ev), tid = event_tid(ev);
    /* mm and proc events move the maps even when they are not shown */
    bool show = cat & n->cats;
    if (!cat || (!show && cat != TRACE_MM && cat != TRACE_PROC && strcmp(type, "fault")))
        return true;
    char *line = NULL;
    size_t len = 0;
    FILE *saved = n->out;
    if (!(n->out = open_memstream(&line, &len))) {
        n->out = saved;
        n->oom = true;
        return false;
    }
    if (tid && tid != pid)
        fprintf(n->out, "[%d/%d]", pid, tid);
    else
        fprintf(n->out, "[%d]", pid);
    size_t prefix = (size_t)ftell(n->out);
    if (!strcmp(type, "fault"))
        on_fault(n, ev, pid, index);
    else if (!strcmp(type, "mm"))
        on_mm(n, ev, pid);
    else if (!strcmp(type, "syscall"))
        on_syscall(n, ev, pid);
    else if (!strcmp(type, "pagecache"))
        on_pagecache(n, ev, index);
    else if (!strcmp(type, "exit"))
        fprintf(n->out, " exit status=%" PRId64 " signal=%" PRId64,
                json_int(json_get(ev, "status"), 0), json_int(json_get(ev, "signal"), 0));
    else
        on_proc(n, ev, type, pid);
    fclose(n->out);
    n->out = saved;
    if (len > prefix) /* something was written past "[pid]" */
        fprintf(n->out, "%s\n", line);
    free(line);
    return true;
}

char *normalize_trace(const char *jsonl, size_t len, unsigned int cats, unsigned int flags,
                      size_t *out_len, char *why, size_t why_len)
{
    struct norm n = {.cats = cats, .flags = flags};
    vmamap_init(&n.map);
    char *text = NULL;
    *out_len = 0;
    bool ok = check_each_event(jsonl, len, pass1, &n, why, why_len);
    label_identities(&n);
    if (ok && (n.out = open_memstream(&text, out_len)) != NULL) {
        ok = check_each_event(jsonl, len, pass2, &n, why, why_len);
        ok = fclose(n.out) == 0 && ok;
    } else if (ok) {
        ok = false;
        n.oom = true;
    }
    if (n.oom || n.map.out_of_memory) {
        snprintf(why, why_len, "out of memory normalizing the trace");
        ok = false;
    }
    free(n.slots);
    free(n.gens);
    free(n.event_frame);
    free(n.ids);
    name_set_free(&n.names);
    vmamap_free(&n.map);
    if (!ok) {
        free(text);
        return NULL;
    }
    return text;
}
