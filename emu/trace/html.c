/*
 * The HTML report: one self-contained file (no network: the stylesheet
 * and the drawing script, emu/trace/assets/, are inlined at build time),
 * with the model (report_model.h) embedded as JSON for the script to draw.
 * The same model gives the same bytes: nothing depends on the time, the
 * host or the order of a hash table.
 */
#define _GNU_SOURCE
#include "emu/trace/html.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "emu/trace/report_model.h"
#include "report_assets.h"

#define MAX_FAULT_POINTS 20000 /* per process; more are thinned evenly */
#define TOP_ROWS 20

/* A JSON string that is safe inside <script>: no '<', '>' or '&' as themselves. */
static void jstr(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c == '<' || c == '>' || c == '&')
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* Text for the HTML itself (the title). */
static void html_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", out);
        else if (*s == '>')
            fputs("&gt;", out);
        else if (*s == '&')
            fputs("&amp;", out);
        else
            fputc(*s, out);
    }
}

static void write_bands(FILE *out, const struct proc *p)
{
    fputs(",\"bands\":[", out);
    for (size_t i = 0; i < p->bands.n; i++) {
        const struct band *b = &p->bands.v[i];
        fprintf(out, "%s[%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",", i ? "," : "", b->start,
                b->end, b->t0, b->t1);
        jstr(out, b->kind);
        fputc(',', out);
        jstr(out, b->prot);
        fputc(',', out);
        jstr(out, b->name);
        fputc(']', out);
    }
    fputc(']', out);
}

static void write_faults(FILE *out, const struct proc *p)
{
    size_t step = (p->faults.n + MAX_FAULT_POINTS - 1) / MAX_FAULT_POINTS;
    if (step == 0)
        step = 1;
    fputs(",\"faults\":[", out);
    for (size_t i = 0; i < p->faults.n; i += step) {
        const struct fault_point *f = &p->faults.v[i];
        fprintf(out, "%s[%" PRIu64 ",%" PRIu64 ",%u,%u,\"%c\",%" PRIu64 "]", i ? "," : "", f->t,
                f->addr, f->kind, f->site, f->access, f->pfn);
    }
    fprintf(out, "],\"faultsTotal\":%zu", p->faults.n);
}

static void write_access(FILE *out, const struct proc *p)
{
    fputs(",\"access\":[", out);
    for (size_t i = 0; i < p->access.n; i++) {
        const struct access_agg *a = &p->access.v[i];
        fprintf(out, "%s[%" PRIu64 ",%" PRIu64 ",%u,[", i ? "," : "", a->t, a->dur, a->samples);
        for (size_t k = 0; k < 3 * a->nregions; k++)
            fprintf(out, "%s%" PRIu64, k ? "," : "", a->regions[k]);
        fputs("]]", out);
    }
    fputc(']', out);
}

static void write_proc(FILE *out, const struct proc *p)
{
    fprintf(out, "{\"pid\":%d,\"program\":", p->pid);
    jstr(out, p->program);
    fprintf(out, ",\"t0\":%" PRIu64 ",\"t1\":%" PRIu64, p->t_start, p->t_end);
    write_bands(out, p);
    write_faults(out, p);
    write_access(out, p);
    fputs(",\"rss\":[", out);
    for (size_t i = 0; i < p->rss.n; i++)
        fprintf(out, "%s[%" PRIu64 ",%lu,%lu,%lu]", i ? "," : "", p->rss.v[i].t, p->rss.v[i].anon,
                p->rss.v[i].file, p->rss.v[i].shmem);
    fputs("],\"markers\":[", out);
    for (size_t i = 0; i < p->markers.n; i++) {
        fprintf(out, "%s[%" PRIu64 ",", i ? "," : "", p->markers.v[i].t);
        jstr(out, p->markers.v[i].label);
        fputc(']', out);
    }
    fputs("]}", out);
}

static void write_site(FILE *out, const struct fault_site *s)
{
    fprintf(out, "[%" PRIu64 ",", s->ip);
    jstr(out, s->insn);
    fputc(',', out);
    jstr(out, s->func);
    fputc(',', out);
    jstr(out, s->line);
    fprintf(out, ",%lu]", s->count);
}

/* ---- the tables: sorted so that ties fall the same way every time ---- */

struct func_row {
    const char *func;
    unsigned long count;
    unsigned long *kinds;
};

static int func_cmp(const void *pa, const void *pb)
{
    const struct func_row *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->func, b->func);
}

/* Faults per function, by kind: the sites of one function add up. */
static void write_top_funcs(FILE *out, const struct report_model *m)
{
    size_t nk = m->kinds.n, n = 0;
    struct func_row *rows = calloc(m->sites.n + 1, sizeof(*rows));
    unsigned long *kinds = calloc((m->sites.n + 1) * nk, sizeof(*kinds));
    fputs(",\"topFuncs\":[", out);
    if (!rows || !kinds)
        goto done;
    for (size_t pi = 0; pi < m->procs.n; pi++) {
        const struct proc *p = &m->procs.v[pi];
        for (size_t i = 0; i < p->faults.n; i++) {
            const struct fault_site *s = &m->sites.v[p->faults.v[i].site];
            const char *f = s->func ? s->func : "?";
            size_t len = strcspn(f, "+"); /* the function, not the offset in it */
            size_t r = 0;
            while (r < n && !(strlen(rows[r].func) == len && !strncmp(rows[r].func, f, len)))
                r++;
            if (r == n) {
                rows[n] = (struct func_row){strndup(f, len), 0, kinds + r * nk};
                if (!rows[n++].func)
                    goto done;
            }
            rows[r].count++;
            rows[r].kinds[p->faults.v[i].kind]++;
        }
    }
    qsort(rows, n, sizeof(*rows), func_cmp);
    for (size_t r = 0; r < n && r < TOP_ROWS; r++) {
        fputs(r ? ",[" : "[", out);
        jstr(out, rows[r].func);
        fprintf(out, ",%lu,[", rows[r].count);
        for (size_t k = 0; k < nk; k++)
            fprintf(out, "%s%lu", k ? "," : "", rows[r].kinds[k]);
        fputs("]]", out);
    }
done:
    fputc(']', out);
    for (size_t r = 0; rows && r < n; r++)
        free((char *)rows[r].func);
    free(rows);
    free(kinds);
}

static const struct fault_site *site_base;

static int site_cmp(const void *pa, const void *pb)
{
    const struct fault_site *a = &site_base[*(const size_t *)pa],
                            *b = &site_base[*(const size_t *)pb];
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->ip != b->ip)
        return a->ip < b->ip ? -1 : 1;
    return *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
}

static void write_top_insns(FILE *out, const struct report_model *m)
{
    size_t *order = calloc(m->sites.n + 1, sizeof(*order));
    fputs(",\"topInsns\":[", out);
    if (order) {
        for (size_t i = 0; i < m->sites.n; i++)
            order[i] = i;
        site_base = m->sites.v;
        qsort(order, m->sites.n, sizeof(*order), site_cmp);
        for (size_t i = 0; i < m->sites.n && i < TOP_ROWS; i++) {
            fputs(i ? "," : "", out);
            write_site(out, &m->sites.v[order[i]]);
        }
    }
    fputc(']', out);
    free(order);
}

static int syscall_cmp(const void *pa, const void *pb)
{
    const struct syscall_stat *a = pa, *b = pb;
    if (a->ns != b->ns)
        return a->ns > b->ns ? -1 : 1;
    if (a->calls != b->calls)
        return a->calls > b->calls ? -1 : 1;
    return strcmp(a->name, b->name);
}

static void write_syscalls(FILE *out, struct report_model *m)
{
    qsort(m->syscalls.v, m->syscalls.n, sizeof(*m->syscalls.v), syscall_cmp);
    fputs(",\"syscalls\":[", out);
    for (size_t i = 0; i < m->syscalls.n; i++) {
        const struct syscall_stat *s = &m->syscalls.v[i];
        fputs(i ? ",[" : "[", out);
        jstr(out, s->name);
        fprintf(out, ",%lu,%lu,%" PRIu64 "]", s->calls, s->errors, s->ns);
    }
    fputc(']', out);
}

static void write_machine(FILE *out, const struct report_model *m)
{
    fputs(",\"memory\":[", out);
    for (size_t i = 0; i < m->memory.n; i++) {
        fprintf(out, "%s[%" PRIu64, i ? "," : "", m->memory.v[i].t);
        for (int k = 0; k < MEM_SERIES; k++)
            fprintf(out, ",%lu", m->memory.v[i].v[k]);
        fputc(']', out);
    }
    fputs("],\"zones\":[", out);
    for (size_t z = 0; z < m->zones.n; z++) {
        const struct zone_series *zs = &m->zones.v[z];
        fputs(z ? ",{\"name\":" : "{\"name\":", out);
        jstr(out, zs->name);
        fprintf(out, ",\"managed\":%lu,\"points\":[", zs->managed);
        for (size_t i = 0; i < zs->points.n; i++) {
            const struct zone_point *p = &zs->points.v[i];
            fprintf(out, "%s[%" PRIu64 ",%lu,[", i ? "," : "", p->t, p->free);
            for (int o = 0; o < NR_ORDERS; o++)
                fprintf(out, "%s%lu", o ? "," : "", p->buddy[o]);
            fputs("]]", out);
        }
        fputs("]}", out);
    }
    fputs("],\"frames\":", out);
    if (!m->frames.n) {
        fputs("null", out);
        return;
    }
    fprintf(out, "{\"total\":%lu,\"runs\":[", m->frames_total);
    for (size_t i = 0; i < m->frames.n; i++) {
        fputs(i ? ",[" : "[", out);
        jstr(out, m->frames.v[i].kind);
        fprintf(out, ",%lu]", m->frames.v[i].len);
    }
    fputs("]}", out);
}

static void write_data(FILE *out, struct report_model *m)
{
    fputs("{\"program\":", out);
    jstr(out, m->program);
    fputs(",\"argv\":[", out);
    for (size_t i = 0; i < m->argv.n; i++) {
        fputs(i ? "," : "", out);
        jstr(out, m->argv.v[i]);
    }
    fprintf(out, "],\"tEnd\":%" PRIu64 ",\"kinds\":[", m->t_end);
    for (size_t i = 0; i < m->kinds.n; i++) {
        fputs(i ? "," : "", out);
        jstr(out, m->kinds.v[i]);
    }
    fputs("],\"procs\":[", out);
    for (size_t i = 0; i < m->procs.n; i++) {
        fputs(i ? "," : "", out);
        write_proc(out, &m->procs.v[i]);
    }
    fputs("],\"sites\":[", out);
    for (size_t i = 0; i < m->sites.n; i++) {
        fputs(i ? "," : "", out);
        write_site(out, &m->sites.v[i]);
    }
    fputc(']', out);
    write_machine(out, m);
    write_top_funcs(out, m);
    write_top_insns(out, m);
    write_syscalls(out, m);
    fputs("}", out);
}

static const char *const sections[][3] = {
    {"layout", "1. The address space over time",
     "Each band is a VMA while it was mapped, by kind; splits, merges and unmaps show where "
     "bands end and begin. Addresses run upwards; unmapped gaps are left out. Dashed lines "
     "start phases: the program ran (exec) or named itself (prctl PR_SET_NAME)."},
    {"faults", "2. Page faults",
     "Every fault at its address and time, coloured by kind. Hover over a point for the "
     "instruction, its function and source line, and the frame it got."},
    {"heatmap", "3. Access heatmap",
     "How often each region was used, from the accessed bits of its page-table entries, sampled "
     "on the virtual clock (DAMON's method): white never, red in every sample."},
    {"memory", "4. Memory",
     "The machine's memory by use, as /proc/meminfo counts it, and the chosen process's RSS "
     "(dashed)."},
    {"physical", "5. Physical memory",
     "Each zone's pages in use and its buddy allocator's free blocks by order (fragmentation), "
     "and what every frame held when the last process ended."},
    {"tables", "6. Where the faults come from, and the system calls", ""},
};

void html_write(FILE *out, struct report_model *m)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta name=\"generator\" content=\"vmemu\">\n<title>vmemu report: ",
          out);
    html_text(out, m->program ? m->program : "?");
    fputs("</title>\n<style>\n", out);
    fwrite(report_css, 1, report_css_len, out);
    fputs("</style></head>\n<body>\n<header><h1>vmemu report: <code>", out);
    for (size_t i = 0; i < m->argv.n; i++) {
        fputs(i ? " " : "", out);
        html_text(out, m->argv.v[i]);
    }
    fputs("</code></h1><p id=\"summary\"></p>\n<div id=\"controls\"><label>process "
          "<select id=\"pid\"></select></label> <button id=\"reset\">whole run</button> "
          "<span id=\"window\"></span></div></header>\n<main>\n",
          out);
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
        fprintf(out,
                "<section id=\"%s\" class=\"view\"><h2>%s</h2><p class=\"help\">%s</p>"
                "<div class=\"plot\"></div></section>\n",
                sections[i][0], sections[i][1], sections[i][2]);
    fputs("</main>\n<noscript>This report draws with JavaScript.</noscript>\n"
          "<script id=\"vmemu-data\" type=\"application/json\">",
          out);
    write_data(out, m);
    fputs("</script>\n<script>\n", out);
    fwrite(report_js, 1, report_js_len, out);
    fputs("</script>\n</body></html>\n", out);
}
