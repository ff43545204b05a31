/*
 * Replayed address spaces (check_vmamap.h). Maps are small (tens of
 * VMAs), so a sorted array with linear edits is plenty; a change first
 * cuts its range out of whatever it overlaps (keeping the pieces outside,
 * with their file offsets moved along) and then puts the new VMA in.
 */
#include "emu/trace/check_vmamap.h"

#include <stdlib.h>
#include <string.h>

#define GONE_MAX 64 /* removed VMAs remembered per process, the latest ones */

struct vmamap_proc {
    int pid;
    struct vmamap_vma *v;
    size_t n, cap;
    struct vmamap_vma gone[GONE_MAX]; /* a ring: gone[ngone % GONE_MAX] is the next slot */
    size_t ngone;
};

void vmamap_init(struct vmamap *m)
{
    memset(m, 0, sizeof(*m));
}

void vmamap_free(struct vmamap *m)
{
    for (size_t i = 0; i < m->nprocs; i++)
        free(m->procs[i].v);
    free(m->procs);
    name_set_free(&m->names);
    vmamap_init(m);
}

static const char *intern(struct vmamap *m, const char *name)
{
    const char *copy = name_set_intern(&m->names, name);
    m->out_of_memory |= !copy;
    return copy ? copy : "";
}

static struct vmamap_proc *find_proc(const struct vmamap *m, int pid)
{
    for (size_t i = 0; i < m->nprocs; i++)
        if (m->procs[i].pid == pid)
            return &m->procs[i];
    return NULL;
}

static struct vmamap_proc *get_proc(struct vmamap *m, int pid)
{
    struct vmamap_proc *p = find_proc(m, pid);
    if (p)
        return p;
    if (!check_grow((void **)&m->procs, &m->cap, m->nprocs + 1, sizeof(*m->procs))) {
        m->out_of_memory = true;
        return NULL;
    }
    p = &m->procs[m->nprocs++];
    memset(p, 0, sizeof(*p));
    p->pid = pid;
    return p;
}

/* Put vma at index i, moving the rest up. */
static bool insert_at(struct vmamap *m, struct vmamap_proc *p, size_t i, struct vmamap_vma vma)
{
    if (!check_grow((void **)&p->v, &p->cap, p->n + 1, sizeof(*p->v))) {
        m->out_of_memory = true;
        return false;
    }
    memmove(&p->v[i + 1], &p->v[i], (p->n - i) * sizeof(*p->v));
    p->v[i] = vma;
    p->n++;
    return true;
}

/* The part of old inside [start, end), which a removal takes away. */
static void bury(struct vmamap_proc *p, struct vmamap_vma old, uint64_t start, uint64_t end)
{
    if (old.start < start) {
        old.offset += start - old.start;
        old.start = start;
    }
    if (old.end > end)
        old.end = end;
    p->gone[p->ngone++ % GONE_MAX] = old;
}

/* Cut [start, end) out of p's map, keeping the parts of VMAs outside it. */
static void cut(struct vmamap *m, struct vmamap_proc *p, uint64_t start, uint64_t end, bool removal)
{
    for (size_t i = 0; i < p->n;) {
        struct vmamap_vma old = p->v[i];
        if (old.end <= start || old.start >= end) {
            i++;
            continue;
        }
        if (removal)
            bury(p, old, start, end);
        memmove(&p->v[i], &p->v[i + 1], (p->n - i - 1) * sizeof(*p->v));
        p->n--;
        if (old.start < start) {
            struct vmamap_vma left = old;
            left.end = start;
            if (insert_at(m, p, i, left))
                i++;
        }
        if (old.end > end) {
            struct vmamap_vma right = old;
            right.offset += end - old.start;
            right.start = end;
            if (insert_at(m, p, i, right))
                i++;
        }
    }
}

void vmamap_apply(struct vmamap *m, int pid, const struct vmamap_vma *vma, bool removed)
{
    struct vmamap_proc *p = get_proc(m, pid);
    if (!p || vma->end <= vma->start)
        return;
    cut(m, p, vma->start, vma->end, removed);
    if (removed)
        return;
    struct vmamap_vma v = *vma;
    v.name = intern(m, vma->name ? vma->name : "");
    size_t i = 0;
    while (i < p->n && p->v[i].start < v.start)
        i++;
    insert_at(m, p, i, v);
}

void vmamap_exec(struct vmamap *m, int pid)
{
    struct vmamap_proc *p = get_proc(m, pid);
    if (p)
        p->n = p->ngone = 0;
}

void vmamap_fork(struct vmamap *m, int parent, int child)
{
    struct vmamap_proc *c = get_proc(m, child), *p = find_proc(m, parent);
    if (!c || !p)
        return;
    c->n = 0;
    if (!check_grow((void **)&c->v, &c->cap, p->n, sizeof(*c->v))) {
        m->out_of_memory = true;
        return;
    }
    p = find_proc(m, parent); /* get_proc may have moved the array */
    memcpy(c->v, p->v, p->n * sizeof(*c->v));
    c->n = p->n;
    memcpy(c->gone, p->gone, sizeof(c->gone));
    c->ngone = p->ngone;
}

const struct vmamap_vma *vmamap_find(const struct vmamap *m, int pid, uint64_t addr)
{
    const struct vmamap_proc *p = find_proc(m, pid);
    for (size_t i = 0; p && i < p->n; i++)
        if (addr >= p->v[i].start && addr < p->v[i].end)
            return &p->v[i];
    return NULL;
}

const struct vmamap_vma *vmamap_find_gone(const struct vmamap *m, int pid, uint64_t addr)
{
    const struct vmamap_proc *p = find_proc(m, pid);
    size_t kept = p ? (p->ngone < GONE_MAX ? p->ngone : GONE_MAX) : 0;
    for (size_t k = 0; k < kept; k++) {
        const struct vmamap_vma *v = &p->gone[(p->ngone - 1 - k) % GONE_MAX];
        if (addr >= v->start && addr < v->end)
            return v;
    }
    return NULL;
}
