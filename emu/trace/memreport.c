/*
 * --report and --check-leaks. A leak is a frame that does not come back:
 * after the task is torn down and the page cache is dropped, MemFree must be
 * what it was before the task was created. Slab caches keep an empty slab
 * or two for the next allocation, so both figures are taken after every
 * cache has given its empty slabs back; a slab still holding a lost object
 * cannot go back, so the check sees lost objects too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/trace/memreport.h"
#include "emu/fs/procfs.h"
#include "mm/mm_init.h"
#include "mm/page.h"
#include "mm/seq.h"
#include "mm/slab.h"

#define REPORT_NAME_MAX 64

static FILE *report_out; /* where print_one writes: a capture buffer */

/* Render name, or "self/name" for the per-process files; false if neither exists. */
static bool show_named(struct task *t, const char *name, struct seq *s, char *full, size_t len)
{
    snprintf(full, len, "%s", name);
    if (procfs_show(t, full, s))
        return true;
    snprintf(full, len, "self/%s", name);
    return procfs_show(t, full, s);
}

/* Call fn for each name of a comma-separated list; stop at the first false. */
static bool for_each_name(const char *list, bool (*fn)(const char *name, void *ctx), void *ctx)
{
    while (*list) {
        const char *comma = strchr(list, ',');
        size_t n = comma ? (size_t)(comma - list) : strlen(list);
        char name[REPORT_NAME_MAX];
        snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1), list);
        if (!fn(name, ctx))
            return false;
        list += n + (comma ? 1 : 0);
    }
    return true;
}

struct report_ctx {
    struct task *t;
    char *bad;
    size_t bad_len;
};

static bool check_one(const char *name, void *arg)
{
    struct report_ctx *c = arg;
    char self[REPORT_NAME_MAX + 8];
    snprintf(self, sizeof(self), "self/%s", name);
    bool ok = *name && (procfs_has(name) || procfs_has(self));
    if (!ok)
        snprintf(c->bad, c->bad_len, "%s", name);
    return ok;
}

bool report_list_valid(const char *list, char *bad, size_t len)
{
    struct report_ctx c = {NULL, bad, len};
    if (!*list) {
        snprintf(bad, len, "(empty)");
        return false;
    }
    return for_each_name(list, check_one, &c);
}

static bool print_one(const char *name, void *arg)
{
    struct report_ctx *c = arg;
    struct seq s;
    char full[REPORT_NAME_MAX + 8];
    seq_init(&s);
    if (!show_named(c->t, name, &s, full, sizeof(full)) || s.overflow)
        fprintf(report_out, "vmemu: /proc/%s cannot be shown\n", name);
    else
        fprintf(report_out, "==> /proc/%s <==\n%.*s", full, (int)s.len, s.buf);
    seq_free(&s);
    return true;
}

/*
 * What --maps and --report print: the first process's view at the moment
 * it ended (its map, its status, the system's counters with its memory
 * still there), captured before its address space goes.
 */
static char *captured_report, *captured_maps;

static char *render(struct task *t, void (*fn)(struct task *, const char *), const char *list)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        return NULL;
    FILE *saved = report_out;
    report_out = mem;
    fn(t, list);
    report_out = saved;
    fclose(mem);
    return buf;
}

static void print_files(struct task *t, const char *list)
{
    struct report_ctx c = {t, NULL, 0};
    for_each_name(list, print_one, &c);
}

static void print_maps(struct task *t, const char *list)
{
    (void)list;
    struct seq s;
    seq_init(&s);
    if (procfs_show(t, "self/maps", &s) && !s.overflow)
        fwrite(s.buf, 1, s.len, report_out);
    seq_free(&s);
}

void report_capture(struct task *t, const char *list, bool maps)
{
    if (list && !captured_report)
        captured_report = render(t, print_files, list);
    if (maps && !captured_maps)
        captured_maps = render(t, print_maps, NULL);
}

void report_proc_files(struct task *t, const char *list)
{
    (void)t, (void)list;
    if (captured_report)
        fputs(captured_report, stderr);
}

const char *final_maps_text(void)
{
    return captured_maps;
}

void report_capture_free(void)
{
    free(captured_report);
    free(captured_maps);
    captured_report = captured_maps = NULL;
}

unsigned long leak_check_start(void)
{
    return mm_leak_check_start();
}

int leak_check_finish(unsigned long free_before)
{
    unsigned long missing = mm_leak_check_end(free_before);
    if (!missing) {
        fprintf(stderr, "vmemu: leak check: every frame came back (MemFree %lu kB)\n",
                free_before << (PAGE_SHIFT - 10));
        return 0;
    }
    fprintf(stderr, "vmemu: leak check FAILED: MemFree %lu kB before the task, %lu kB after\n",
            free_before << (PAGE_SHIFT - 10), (free_before - missing) << (PAGE_SHIFT - 10));
    struct seq s;
    seq_init(&s);
    slabinfo_show(&s);
    if (!s.overflow)
        fprintf(stderr, "%.*s", (int)s.len, s.buf);
    seq_free(&s);
    return -1;
}
