/*
 * One expected file (check_config.h's check_case): read its header, make
 * sure it was made for this program, these arguments and this schema,
 * run the program with the header's options, turn the run into the body
 * the level compares, and either compare or (--update) write the file
 * again at the same level. Everything the user reads goes to one report
 * stream, the verdict first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu/options.h"
#include "emu/trace/check_config.h"
#include "emu/trace/check_diff.h"
#include "emu/trace/check_header.h"
#include "emu/trace/check_normalize.h"
#include "emu/trace/check_probe.h"
#include "emu/trace/check_summary.h"
#include "emu/trace/check_words.h"
#include "emu/trace/trace.h"

#define DEFAULT_CATS (TRACE_FAULT | TRACE_MM | TRACE_PROC)

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len + 4096 > cap) {
            char *b = realloc(buf, cap = cap * 2 + 4096);
            if (!b) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = b;
        }
        size_t n = fread(buf + *len, 1, cap - *len, f);
        *len += n;
        if (n == 0)
            break;
    }
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (err) {
        free(buf);
        errno = err;
        return NULL;
    }
    buf[*len] = '\0';
    return buf;
}

/* header + body into path, through a temporary file renamed over it. */
static bool write_expected(const char *path, const struct expected_header *h, const char *body,
                           size_t len, char *why, size_t why_len)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 8);
    if (!tmp) {
        snprintf(why, why_len, "out of memory");
        return false;
    }
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".XXXXXX", 8);
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    bool ok = f != NULL;
    if (ok) {
        expected_write(f, h);
        ok = fwrite(body, 1, len, f) == len;
        ok = fclose(f) == 0 && ok;
    } else if (fd >= 0) {
        close(fd);
    }
    ok = ok && chmod(tmp, 0644) == 0 && rename(tmp, path) == 0;
    if (!ok) {
        snprintf(why, why_len, "cannot write %s: %s", path, strerror(errno));
        if (fd >= 0)
            unlink(tmp);
    }
    free(tmp);
    return ok;
}

/* The settings a case is checked (or written) with. */
struct settings {
    enum check_level level;
    unsigned int normalize;
    bool has_tolerance;
    struct tolerance tolerance;
};

/* Refuse an expected file that is not for this run; false with why. */
static bool same_case(const struct check_config *cfg, const struct expected_header *h,
                      const struct expected_header *run, bool options_given, bool *changed,
                      char *why, size_t len)
{
    if (!expected_same_case(h, run, changed, why, len))
        return false;
    if (options_given && strcmp(h->options, run->options) != 0) {
        snprintf(why, len, "it was made with the options '%s', not '%s' (--update remakes it)",
                 h->options, run->options);
        return false;
    }
    if (cfg->level && cfg->level != h->level) {
        snprintf(why, len, "it is a %s expected file, not %s (--update --level=%s remakes it)",
                 check_level_name(h->level), check_level_name(cfg->level),
                 check_level_name(cfg->level));
        return false;
    }
    if (cfg->normalize && h->level == CHECK_NORMALIZED && cfg->normalize != h->normalize) {
        snprintf(why, len, "it normalizes %s, not %s", normalize_name(h->normalize),
                 normalize_name(cfg->normalize));
        return false;
    }
    return true;
}

/* The level and its details: the command line's, else the file's, else the defaults. */
static bool choose(const struct check_config *cfg, const struct expected_header *h,
                   struct settings *s, char *why, size_t len)
{
    s->level = cfg->level ? cfg->level : h ? h->level : CHECK_NORMALIZED;
    s->normalize = 0;
    if (s->level == CHECK_NORMALIZED)
        s->normalize = cfg->normalize                                      ? cfg->normalize
                       : h && h->level == CHECK_NORMALIZED && h->normalize ? h->normalize
                                                                           : NORMALIZE_DEFAULT;
    s->has_tolerance = cfg->has_tolerance || (h && h->has_tolerance && s->level == h->level);
    s->tolerance = cfg->has_tolerance ? cfg->tolerance : h ? h->tolerance : (struct tolerance){0};
    if (s->has_tolerance && s->level != CHECK_SUMMARY) {
        snprintf(why, len, "--tolerance is for the summary level, not %s",
                 check_level_name(s->level));
        return false;
    }
    if (cfg->normalize && s->level != CHECK_NORMALIZED) {
        snprintf(why, len, "--normalize is for the normalized level, not %s",
                 check_level_name(s->level));
        return false;
    }
    return true;
}

/* What the run traces for the level; the categories the normalized level shows. */
static bool set_tracing(struct vmemu_options *o, enum check_level level, unsigned int *shown,
                        char *why, size_t len)
{
    unsigned int asked = o->trace ? o->trace : DEFAULT_CATS;
    *shown = asked;
    switch (level) {
    case CHECK_EXACT:
        o->trace = asked;
        return true;
    case CHECK_NORMALIZED:
        if (asked & (TRACE_ACCESS | TRACE_MEMORY)) {
            snprintf(why, len, "access and memory events are compared by the summary level");
            return false;
        }
        o->trace = asked | TRACE_MM | TRACE_PROC; /* they keep the maps that name addresses */
        o->trace_jsonl = true;
        return true;
    default:
        o->trace = TRACE_FAULT | TRACE_PROC;
        o->trace_jsonl = true;
        return true;
    }
}

/* Run the program; its trace in *trace. false when it never ran (vmemu said why). */
static bool run_case(const struct check_runner *r, const struct vmemu_options *o, char **argv,
                     bool probe, char **trace, size_t *len)
{
    FILE *mem = open_memstream(trace, len);
    if (!mem) {
        fprintf(stderr, "vmemu check: out of memory\n");
        return false;
    }
    char *empty_env[] = {NULL};
    check_probe_enable(probe);
    r->run(o, argv, empty_env, mem);
    fclose(mem);
    /* Every task's end is traced: without one, the program never ran. */
    return *trace && (strstr(*trace, "\"type\":\"exit\"") || strstr(*trace, " exit status="));
}

/* The run as the level compares it (a malloc'd text), or NULL with why. */
static char *make_body(enum check_level level, unsigned int normalize, unsigned int shown,
                       char *trace, size_t len, size_t *body_len, char *why, size_t why_len)
{
    if (level == CHECK_EXACT) {
        *body_len = len;
        return trace;
    }
    char *body = level == CHECK_NORMALIZED
                     ? normalize_trace(trace, len, shown, normalize, body_len, why, why_len)
                     : summary_make(trace, len, body_len, why, why_len);
    free(trace);
    return body;
}

/* Compare body with the file's; the verdict and the differences on rep. */
static int compare(const char *expected, const struct settings *s, const char *want,
                   size_t want_len, const char *got, size_t got_len, unsigned int context,
                   FILE *rep)
{
    char *details = NULL;
    size_t dlen = 0;
    FILE *d = open_memstream(&details, &dlen);
    if (!d) {
        fprintf(rep, "vmemu check: %s: out of memory\n", expected);
        return CHECK_ERROR;
    }
    char why[256] = "";
    long n = s->level == CHECK_SUMMARY
                 ? summary_compare(want, want_len, got, got_len, &s->tolerance, d, why, sizeof(why))
                 : (long)diff_sequences(want, want_len, got, got_len, context, d);
    fclose(d);
    int rc = n < 0 ? CHECK_ERROR : n ? CHECK_FAIL : CHECK_PASS;
    const char *level = check_level_name(s->level);
    if (n < 0)
        fprintf(rep, "vmemu check: %s: %s\n", expected, why);
    else if (!n && s->level == CHECK_SUMMARY)
        fprintf(rep, "vmemu check: %s: pass (summary)\n", expected);
    else if (!n)
        fprintf(rep, "vmemu check: %s: pass (%s, %zu events)\n", expected, level,
                count_lines(got, got_len));
    else if (s->level == CHECK_SUMMARY)
        fprintf(rep, "vmemu check: %s: FAIL (summary): %ld difference%s\n%s", expected, n,
                n == 1 ? "" : "s", details ? details : "");
    else
        fprintf(rep, "vmemu check: %s: FAIL (%s): %ld event%s differ%s\n%s", expected, level, n,
                n == 1 ? "" : "s", n == 1 ? "s" : "", details ? details : "");
    free(details);
    return rc;
}

/* The options the run is made with: the command line's, else the file's. */
static bool options_for(const struct check_runner *r, const struct vmemu_options *cli,
                        int nrun_opts, const struct expected_header *h, struct vmemu_options *o,
                        struct words *w, char *why, size_t len)
{
    *o = *cli;
    if (nrun_opts || !h || !h->options[0])
        return true;
    const char *err;
    if (!words_split(h->options, w, &err)) {
        snprintf(why, len, "its options line cannot be read: %s", err);
        return false;
    }
    *o = *r->defaults; /* it points into w (--root DIR): w lives as long as the run */
    check_parse_recorded_options(r, w->n, w->v, o);
    return true;
}

int check_case(const struct check_config *cfg, const struct check_runner *r,
               const struct vmemu_options *cli, const char *expected, char **argv,
               char *const *run_opts, int nrun_opts, FILE *rep)
{
    char why[1024];
    size_t flen = 0;
    char *file = read_file(expected, &flen);
    int file_errno = errno;
    struct expected_header hdr, run = {0};
    const char *want = NULL;
    bool have = file && expected_parse(file, flen, &hdr, &want, why, sizeof(why));
    bool changed = false;
    int nargs = 0;
    while (argv[1 + nargs])
        nargs++;
    char *options = words_join(run_opts, nrun_opts);
    struct settings s;
    struct vmemu_options o;
    struct words words = {0};
    unsigned int shown = 0;
    int rc = CHECK_ERROR;
    if (!file && !cfg->update)
        fprintf(rep, "vmemu check: cannot read %s: %s (--update creates it)\n", expected,
                strerror(file_errno));
    else if (file && !have && !cfg->update)
        fprintf(rep, "vmemu check: %s: refused: %s\n", expected, why);
    else if (!options || !expected_describe(&run, cfg->as_path ? cfg->as_path : argv[0], argv[0],
                                            argv + 1, nargs, options, why, sizeof(why)))
        fprintf(rep, "vmemu check: %s\n", options ? why : "out of memory");
    else if (!cfg->update && !same_case(cfg, &hdr, &run, nrun_opts > 0, &changed, why, sizeof(why)))
        fprintf(rep, "vmemu check: %s: refused: %s\n", expected, why);
    else if (!choose(cfg, have ? &hdr : NULL, &s, why, sizeof(why)) ||
             !options_for(r, cli, nrun_opts, have ? &hdr : NULL, &o, &words, why, sizeof(why)) ||
             !set_tracing(&o, s.level, &shown, why, sizeof(why)))
        fprintf(rep, "vmemu check: %s: %s\n", expected, why);
    else
        rc = CHECK_PASS;
    free(options);
    if (rc == CHECK_PASS) {
        if (have && !nrun_opts) { /* the file's options, kept by --update */
            free(run.options);
            run.options = strdup(hdr.options);
        }
        char *trace = NULL, *body = NULL;
        size_t len = 0, body_len = 0;
        if (!run_case(r, &o, argv, s.level == CHECK_SUMMARY, &trace, &len)) {
            fprintf(rep, "vmemu check: %s: the program did not run\n", expected);
            free(trace);
            rc = CHECK_ERROR;
        } else if (!(body = make_body(s.level, s.normalize, shown, trace, len, &body_len, why,
                                      sizeof(why)))) {
            fprintf(rep, "vmemu check: %s: %s\n", expected, why);
            rc = CHECK_ERROR;
        } else if (cfg->update) {
            run.level = s.level;
            run.normalize = s.normalize;
            run.has_tolerance = s.has_tolerance;
            run.tolerance = s.tolerance;
            bool wrote =
                run.options && write_expected(expected, &run, body, body_len, why, sizeof(why));
            if (wrote)
                fprintf(rep, "vmemu check: wrote %s (%s)\n", expected, check_level_name(s.level));
            else
                fprintf(rep, "vmemu check: %s\n", run.options ? why : "out of memory");
            rc = wrote ? CHECK_PASS : CHECK_ERROR;
        } else {
            rc = compare(expected, &s, want, flen - (size_t)(want - file), body, body_len,
                         cfg->context, rep);
        }
        free(body);
        check_probe_reset();
    }
    if (changed && rc != CHECK_ERROR)
        fprintf(rep,
                "vmemu check: note: %s changed since %s was made (sha256 %.16s... then, "
                "%.16s... now)\n",
                argv[0], expected, hdr.program_sha256, run.program_sha256);
    if (have)
        expected_header_free(&hdr);
    expected_header_free(&run);
    words_free(&words);
    free(file);
    return rc;
}
