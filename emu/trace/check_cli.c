/*
 * The check command's own options and its dispatch (check.h). main.c's
 * parser walks the command line and hands every argument it does not know
 * to check_option; the arguments taken here are remembered, so that what
 * is left before EXPECTED is exactly the run options, which the expected
 * file's header records.
 */
#include "emu/trace/check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "emu/cli.h"
#include "emu/options.h"
#include "emu/trace/check_config.h"

static struct check_config C = {.context = 3, .jobs = 1, .report_fd = -1};

/* The argv indices check_option took, as [from, to] pairs. */
static struct {
    int (*v)[2];
    int n;
} taken;

static void bad(const char *opt, const char *v, const char *accepted)
{
    fprintf(stderr, "vmemu check: invalid value for %s: '%s' (%s)\n", opt, v, accepted);
    exit(CHECK_ERROR);
}

/* --name=value or --name value (the next argument); *v set when argv[*i] is that option. */
static bool valued(int argc, char **argv, int *i, const char *name, const char **v)
{
    return cli_take_option(argc, argv, i, name, v, "vmemu check");
}

static int number(const char *opt, const char *v, int min, int max)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < min || n > max) {
        char range[48];
        snprintf(range, sizeof(range), "a number from %d to %d", min, max);
        bad(opt, v, range);
    }
    return (int)n;
}

/* The options with a value; false when argv[*i] is none of them. */
static bool valued_option(int argc, char **argv, int *i)
{
    const char *v;
    char why[160];
    if (valued(argc, argv, i, "--level", &v)) {
        if (!(C.level = check_level_by_name(v)))
            bad("--level", v, "exact, normalized or summary");
    } else if (valued(argc, argv, i, "--normalize", &v)) {
        if (!normalize_parse(v, &C.normalize))
            bad("--normalize", v, "frames or frames,addresses");
    } else if (valued(argc, argv, i, "--tolerance", &v)) {
        if (!(C.has_tolerance = tolerance_parse(v, &C.tolerance, why, sizeof(why))))
            bad("--tolerance", v, why);
    } else if (valued(argc, argv, i, "--context", &v)) {
        C.context = (unsigned int)number("--context", v, 0, 1000);
    } else if (valued(argc, argv, i, "--suite", &v)) {
        C.suite = v;
    } else if (valued(argc, argv, i, "--jobs", &v) || valued(argc, argv, i, "-j", &v)) {
        C.jobs = number("-j", v, 1, 256);
    } else if (!strncmp(argv[*i], "-j", 2) && argv[*i][2] >= '0' && argv[*i][2] <= '9') {
        C.jobs = number("-j", argv[*i] + 2, 1, 256);
    } else if (valued(argc, argv, i, "--junit", &v)) {
        C.junit = v;
    } else if (valued(argc, argv, i, "--json", &v)) {
        C.json = v;
    } else if (valued(argc, argv, i, "--programs", &v)) {
        C.programs = v;
    } else if (valued(argc, argv, i, "--case", &v)) {
        C.only = v;
    } else if (valued(argc, argv, i, "--report-fd", &v)) {
        C.report_fd = number("--report-fd", v, 3, 1023);
    } else if (valued(argc, argv, i, "--as-path", &v)) {
        C.as_path = v;
    } else {
        return false;
    }
    return true;
}

static bool header_options; /* parsing an expected file's options: none of check's own there */

bool check_option(int argc, char **argv, int *i)
{
    int from = *i;
    if (header_options)
        return false;
    if (!strcmp(argv[*i], "--update"))
        C.update = true;
    else if (!strcmp(argv[*i], "--times"))
        C.times = true;
    else if (!valued_option(argc, argv, i))
        return false;
    int(*v)[2] = realloc(taken.v, (size_t)(taken.n + 1) * sizeof(*v));
    if (!v) {
        fprintf(stderr, "vmemu check: out of memory\n");
        exit(CHECK_ERROR);
    }
    taken.v = v;
    taken.v[taken.n][0] = from;
    taken.v[taken.n++][1] = *i;
    return true;
}

static bool was_taken(int k)
{
    for (int t = 0; t < taken.n; t++)
        if (k >= taken.v[t][0] && k <= taken.v[t][1])
            return true;
    return false;
}

void check_parse_recorded_options(const struct check_runner *r, int n, char **words,
                                  struct vmemu_options *o)
{
    int k = 0;
    header_options = true;
    r->parse(n, words, &k, o);
    header_options = false;
    if (k != n) {
        fprintf(stderr, "vmemu check: '%s' in the expected file's options is not an option\n",
                words[k]);
        exit(CHECK_ERROR);
    }
}

int check_main(int argc, char **argv, int i, const struct vmemu_options *defaults,
               check_parse_fn parse, check_run_fn run)
{
    struct vmemu_options o = *defaults;
    int first = i;
    parse(argc, argv, &i, &o);
    /* The run options: what the parser took that check_option did not ("--" aside). */
    char **opts = calloc((size_t)(i - first + 1), sizeof(*opts));
    int nopts = 0;
    for (int k = first; opts && k < i; k++)
        if (!was_taken(k) && strcmp(argv[k], "--") != 0)
            opts[nopts++] = argv[k];
    free(taken.v);
    taken.v = NULL;
    if (!opts) {
        fprintf(stderr, "vmemu check: out of memory\n");
        return CHECK_ERROR;
    }
    const struct check_runner r = {defaults, parse, run};
    int rc;
    if (C.suite) {
        if (i < argc) {
            fprintf(stderr, "vmemu check: --suite takes no EXPECTED or PROGRAM ('%s')\n", argv[i]);
            rc = CHECK_ERROR;
        } else {
            rc = check_suite(&C, opts, nopts);
        }
    } else if (argc - i < 2) {
        fprintf(stderr, "vmemu check: need EXPECTED and PROGRAM, or --suite (try --help)\n");
        rc = CHECK_ERROR;
    } else {
        FILE *rep = C.report_fd >= 0 ? fdopen(C.report_fd, "w") : stderr;
        if (!rep) {
            fprintf(stderr, "vmemu check: --report-fd %d: %s\n", C.report_fd, strerror(errno));
            rc = CHECK_ERROR;
        } else {
            rc = check_case(&C, &r, &o, argv[i], argv + i + 1, opts, nopts, rep);
            if (rep != stderr && fclose(rep) != 0)
                rc = CHECK_ERROR;
        }
    }
    free(opts);
    return rc;
}
