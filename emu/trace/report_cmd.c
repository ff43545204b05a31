/*
 * From a JSON Lines trace to the report files: the HTML report and the
 * Chrome/Perfetto trace. `vmemu report TRACE.jsonl -o FILE` does it for a
 * saved trace; a run with --html or --perfetto does it for the trace it
 * has just written, through the same function, so the two give the same
 * bytes for the same trace.
 *
 * The trace is untrusted input: a line that is not JSON, or not a vmemu
 * event, stops the conversion with the line's number and the reason.
 */
#define _GNU_SOURCE
#include "emu/trace/report_cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu/trace/html.h"
#include "emu/trace/json.h"
#include "emu/trace/perfetto.h"
#include "emu/trace/report_model.h"

#define EXIT_USAGE 2

/* Feed every line of in to the model and to the Perfetto writer; false with a message. */
static bool read_trace(FILE *in, const char *name, struct report_model *m, struct perfetto *pf)
{
    struct json_arena arena;
    json_arena_init(&arena);
    char *line = NULL;
    size_t cap = 0;
    unsigned long lineno = 0;
    ssize_t len;
    bool ok = true, any_line = false;
    while (ok && (len = getline(&line, &cap, in)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len == 0)
            continue;
        struct json *ev;
        const char *why = NULL;
        json_arena_reset(&arena);
        if (!json_parse(&arena, line, (size_t)len, &ev, &why) || ev->type != JSON_OBJECT) {
            fprintf(stderr, "vmemu report: %s:%lu: not a JSON object (%s)\n", name, lineno,
                    why ? why : "another kind of value");
            ok = false;
        } else if (!model_add(m, ev, &why)) {
            fprintf(stderr, "vmemu report: %s:%lu: %s\n", name, lineno, why);
            ok = false;
        } else if (pf && !perfetto_add(pf, ev)) {
            fprintf(stderr, "vmemu report: cannot write the Perfetto trace: %s\n", strerror(errno));
            ok = false;
        }
        any_line = true;
    }
    if (ok && ferror(in)) {
        fprintf(stderr, "vmemu report: cannot read %s: %s\n", name, strerror(errno));
        ok = false;
    } else if (ok && !any_line) {
        fprintf(stderr, "vmemu report: %s: an empty trace\n", name);
        ok = false;
    }
    free(line);
    json_arena_free(&arena);
    return ok;
}

int report_convert(FILE *in, const char *name, FILE *html, FILE *perfetto)
{
    struct report_model m;
    struct perfetto *pf = NULL;
    if (!model_init(&m) || (perfetto && !(pf = perfetto_open(perfetto)))) {
        fprintf(stderr, "vmemu report: out of memory\n");
        model_free(&m);
        return 1;
    }
    bool ok = read_trace(in, name, &m, pf);
    if (pf && !perfetto_close(pf) && ok) {
        fprintf(stderr, "vmemu report: cannot write the Perfetto trace: %s\n", strerror(errno));
        ok = false;
    }
    if (ok && html) {
        model_finish(&m);
        html_write(html, &m);
        if (fflush(html) != 0 || ferror(html)) {
            fprintf(stderr, "vmemu report: cannot write the HTML report: %s\n", strerror(errno));
            ok = false;
        }
    }
    model_free(&m);
    return ok ? 0 : 1;
}

FILE *report_open_output(const char *path, const char *what)
{
    FILE *f = fopen(path, "we");
    if (!f)
        fprintf(stderr, "vmemu: cannot write the %s to %s: %s\n", what, path, strerror(errno));
    return f;
}

/* Close an output; false (with a message) if its last bytes could not be written. */
static bool close_output(FILE *f, const char *path)
{
    if (f && fclose(f) != 0) {
        fprintf(stderr, "vmemu report: cannot write %s: %s\n", path, strerror(errno));
        return false;
    }
    return true;
}

#define REPORT_USAGE "usage: vmemu report TRACE.jsonl -o REPORT.html [--perfetto TRACE.json]"

int cmd_report(int argc, char **argv, int i)
{
    const char *trace = NULL, *html_path = NULL, *pf_path = NULL;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if ((!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--perfetto")) &&
            i + 1 < argc) {
            *(a[2] == 'p' ? &pf_path : &html_path) = argv[++i];
        } else if (!strncmp(a, "--output=", 9)) {
            html_path = a + 9;
        } else if (!strncmp(a, "--perfetto=", 11)) {
            pf_path = a + 11;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            printf("%s\n", REPORT_USAGE);
            return 0;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "vmemu report: unknown option '%s' (try --help)\n", a);
            return EXIT_USAGE;
        } else if (!trace) {
            trace = a;
        } else {
            fprintf(stderr, "vmemu report: one trace at a time ('%s' too many)\n", a);
            return EXIT_USAGE;
        }
    }
    if (!trace || (!html_path && !pf_path)) {
        fprintf(stderr, "%s\n", REPORT_USAGE);
        return EXIT_USAGE;
    }
    FILE *in = strcmp(trace, "-") ? fopen(trace, "re") : stdin;
    if (!in) {
        fprintf(stderr, "vmemu report: cannot read %s: %s\n", trace, strerror(errno));
        return 1;
    }
    FILE *html = html_path ? report_open_output(html_path, "report") : NULL;
    FILE *pf = pf_path ? report_open_output(pf_path, "Perfetto trace") : NULL;
    int rc = (html_path && !html) || (pf_path && !pf) ? 1 : report_convert(in, trace, html, pf);
    if (!close_output(html, html_path) | !close_output(pf, pf_path))
        rc = 1;
    if (rc) { /* no half-written report left behind */
        if (html)
            unlink(html_path);
        if (pf)
            unlink(pf_path);
    }
    if (in != stdin)
        fclose(in);
    return rc;
}
