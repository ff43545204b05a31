/*
 * The report options of a run (run_report.h). The report is made from the
 * run's own JSON Lines trace of every category, kept in an unlinked
 * temporary file and converted by report_convert, exactly as
 * `vmemu report` converts a saved one: the same trace gives the same HTML.
 */
#include "emu/trace/run_report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/cli.h"
#include "emu/kernel/sched.h"
#include "emu/options.h"
#include "emu/trace/progress.h"
#include "emu/trace/report_cmd.h"
#include "emu/trace/sampler.h"
#include "emu/trace/symbols.h"
#include "emu/trace/trace.h"

#define EXIT_USAGE 2

static struct {
    FILE *trace, *html, *perfetto; /* the report's trace, and the files made from it */
    const char *html_path, *perfetto_path;
} R;

/* "200us", "1ms", "2s", "500000ns", or a number of microseconds; "off" or 0 is none. */
static bool parse_interval(const char *v, uint64_t *ns)
{
    static const struct {
        const char *suffix;
        uint64_t mul;
    } units[] = {{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}, {"", 1000}};
    if (!strcmp(v, "off")) {
        *ns = 0;
        return true;
    }
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || end == v)
        return false;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (!strcmp(end, units[i].suffix)) {
            if (n > UINT64_MAX / units[i].mul)
                return false;
            *ns = n * units[i].mul;
            return *ns == 0 || *ns >= 1000; /* below a microsecond, every block would sample */
        }
    }
    return false;
}

/* --name=value or --name value; *v set when argv[*i] is that option. */
static bool option_value(int argc, char **argv, int *i, const char *name, const char **v)
{
    return cli_take_option(argc, argv, i, name, v, "vmemu");
}

bool run_report_option(int argc, char **argv, int *i, struct vmemu_options *o)
{
    const char *v;
    if (!strcmp(argv[*i], "--progress")) {
        o->progress = true;
    } else if (option_value(argc, argv, i, "--html", &v)) {
        o->html = v;
    } else if (option_value(argc, argv, i, "--perfetto", &v)) {
        o->perfetto = v;
    } else if (option_value(argc, argv, i, "--access-sample", &v)) {
        if (!parse_interval(v, &o->access_sample_ns)) {
            fprintf(stderr,
                    "vmemu: invalid value for --access-sample: '%s' (e.g. 200us, 1ms, off)\n", v);
            exit(EXIT_USAGE);
        }
        o->access_sample_set = true;
    } else {
        return false;
    }
    return true;
}

int run_report_begin(const struct vmemu_options *o, struct tracer **tr)
{
    memset(&R, 0, sizeof(R));
    if (o->progress)
        progress_start();
    if (o->html && !(R.html = report_open_output(o->html, "report")))
        return -1;
    if (o->perfetto && !(R.perfetto = report_open_output(o->perfetto, "Perfetto trace")))
        return -1;
    R.html_path = o->html;
    R.perfetto_path = o->perfetto;
    if (o->html || o->perfetto) {
        struct tracer *mine = NULL;
        if (!(R.trace = tmpfile()) || !(mine = trace_open(R.trace, TRACE_ALL, true))) {
            fprintf(stderr, "vmemu: cannot keep the report's trace: %s\n", strerror(errno));
            return -1;
        }
        *tr = trace_chain(*tr, mine);
    }
    uint64_t interval = o->access_sample_set ? o->access_sample_ns
                        : o->html            ? ACCESS_SAMPLE_DEFAULT_NS
                                             : 0;
    if (interval || o->html || o->perfetto)
        sched_follow_guest_work();
    if (interval)
        sampler_start(*tr, interval, o->seed);
    return 0;
}

void run_report_end_of_run(void)
{
    sampler_stop();
    progress_stop();
}

static int close_file(FILE *f, const char *path)
{
    if (f && fclose(f) != 0) {
        fprintf(stderr, "vmemu: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int run_report_finish(void)
{
    int rc = 0;
    sampler_stop();
    progress_stop();
    symbols_exit();
    if (R.trace) {
        rewind(R.trace);
        if (report_convert(R.trace, "the run's trace", R.html, R.perfetto) != 0)
            rc = -1;
        fclose(R.trace);
    }
    if (close_file(R.html, R.html_path) || close_file(R.perfetto, R.perfetto_path))
        rc = -1;
    memset(&R, 0, sizeof(R));
    return rc;
}
