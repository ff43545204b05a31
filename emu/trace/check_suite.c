/*
 * Running a suite (check_config.h's check_suite): every case is a vmemu
 * process of its own (this very binary, `vmemu check ... EXPECTED PROGRAM
 * ARGS`), so cases share nothing and a crash ends one case only. Up to -j
 * run at once; each child gets the case's stdin, /dev/null as stdout, a
 * pipe as stderr (its log) and a pipe on descriptor 3 for check's report
 * (--report-fd=3). One poll loop reads every pipe, so no child blocks on
 * a full pipe, and enforces the cases' timeouts. Results are printed and
 * written in the suite's order whatever order cases finish in, so the
 * table and the reports are the same for any -j.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "emu/trace/check_config.h"
#include "emu/trace/check_header.h"
#include "emu/trace/check_suite.h"

#define LOG_MAX (1 << 20) /* bytes of a case's stderr kept */

struct buffer {
    char *data;
    size_t len, cap;
    bool truncated;
};

struct slot {
    pid_t pid;
    int fd[2]; /* the report and the log, -1 once at their end */
    struct buffer buf[2];
    size_t index;
    double start, deadline;
    bool timed_out;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void append(struct buffer *b, const char *data, size_t n)
{
    if (b->len + n > LOG_MAX) {
        b->truncated = true;
        n = LOG_MAX - b->len;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) {
            b->truncated = true;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
}

/* from onto to in a child about to exec: to must survive the exec. */
static void move_fd(int from, int to)
{
    if (from == to)
        fcntl(to, F_SETFD, 0);
    else
        dup2(from, to);
}

static bool add_option(struct words *w, const char *name, const char *value)
{
    size_t n = strlen(name) + strlen(value) + 2;
    char *opt = malloc(n);
    if (!opt)
        return false;
    snprintf(opt, n, "%s=%s", name, value);
    bool ok = words_add(w, opt);
    free(opt);
    return ok;
}

/* The command line of a case's child. */
static bool child_argv(const char *exe, const struct check_config *cfg, const struct suite_case *c,
                       struct words *w)
{
    char num[16], *tol = NULL;
    size_t tlen = 0;
    bool ok = words_add(w, exe) && words_add(w, "check") && words_add(w, "--report-fd=3") &&
              add_option(w, "--as-path", c->program) && (!cfg->update || words_add(w, "--update"));
    enum check_level level = cfg->level ? cfg->level : c->level;
    if (ok && level)
        ok = add_option(w, "--level", check_level_name(level));
    if (ok && (cfg->normalize || c->normalize))
        ok = add_option(w, "--normalize",
                        cfg->normalize ? normalize_name(cfg->normalize) : c->normalize);
    if (ok && cfg->has_tolerance) {
        FILE *m = open_memstream(&tol, &tlen);
        if ((ok = m != NULL)) {
            tolerance_write(m, &cfg->tolerance);
            ok = fclose(m) == 0 && add_option(w, "--tolerance", tol);
        }
    } else if (ok && c->tolerance) {
        ok = add_option(w, "--tolerance", c->tolerance);
    }
    free(tol);
    snprintf(num, sizeof(num), "%u", cfg->context);
    ok = ok && add_option(w, "--context", num);
    for (int i = 0; ok && c->has_options && i < c->options.n; i++)
        ok = words_add(w, c->options.v[i]);
    ok = ok && words_add(w, c->expected) && words_add(w, c->program_path);
    for (int i = 0; ok && i < c->args.n; i++)
        ok = words_add(w, c->args.v[i]);
    return ok;
}

/* Start case c in slot s; false with why. */
static bool spawn(struct slot *s, char **argv, const struct suite_case *c, char *why, size_t len)
{
    int rep[2], log[2];
    if (pipe2(rep, O_CLOEXEC) != 0) {
        snprintf(why, len, "cannot make a pipe: %s", strerror(errno));
        return false;
    }
    if (pipe2(log, O_CLOEXEC) != 0) {
        snprintf(why, len, "cannot make a pipe: %s", strerror(errno));
        close(rep[0]), close(rep[1]);
        return false;
    }
    pid_t pid = fork();
    if (pid == 0) {
        int in = open(c->stdin_path, O_RDONLY | O_CLOEXEC);
        int out = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (in < 0 || out < 0) {
            dprintf(rep[1], "vmemu check: cannot open the stdin of %s: %s: %s\n", c->name,
                    c->stdin_path, strerror(errno));
            _exit(CHECK_ERROR);
        }
        move_fd(in, 0);
        move_fd(out, 1);
        move_fd(log[1], 2);
        move_fd(rep[1], 3);
        execv(argv[0], argv);
        dprintf(3, "vmemu check: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(CHECK_ERROR);
    }
    close(rep[1]);
    close(log[1]);
    if (pid < 0) {
        snprintf(why, len, "cannot start a process: %s", strerror(errno));
        close(rep[0]), close(log[0]);
        return false;
    }
    s->pid = pid;
    s->fd[0] = rep[0];
    s->fd[1] = log[0];
    s->start = now();
    s->deadline = s->start + c->timeout;
    s->timed_out = false;
    return true;
}

/* The level a case is at, as far as the runner can tell before running it. */
static enum check_level known_level(const struct check_config *cfg, const struct suite_case *c)
{
    if (cfg->level || c->level)
        return cfg->level ? cfg->level : c->level;
    FILE *f = fopen(c->expected, "re");
    char text[4096];
    size_t n = f ? fread(text, 1, sizeof(text), f) : 0;
    if (f)
        fclose(f);
    char *blank = memmem(text, n, "\n\n", 2);
    struct expected_header h;
    const char *body;
    char why[160];
    if (blank && expected_parse(text, (size_t)(blank - text) + 2, &h, &body, why, sizeof(why))) {
        enum check_level l = h.level;
        expected_header_free(&h);
        return l;
    }
    return cfg->update ? CHECK_NORMALIZED : CHECK_LEVEL_NONE;
}

/* The child of slot s ended (both pipes at their end): its outcome. */
static void reap(struct slot *s, struct case_outcome *o)
{
    int st = 0;
    while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
        ;
    o->seconds = now() - s->start;
    o->report = s->buf[0].data;
    o->report_len = s->buf[0].len;
    o->log = s->buf[1].data;
    o->log_len = s->buf[1].len;
    memset(s->buf, 0, sizeof(s->buf));
    if (s->timed_out)
        snprintf(o->why, sizeof(o->why), "timed out after %.0f s", s->deadline - s->start);
    else if (WIFSIGNALED(st))
        snprintf(o->why, sizeof(o->why), "vmemu was killed by signal %d (%s)", WTERMSIG(st),
                 strsignal(WTERMSIG(st)));
    else if (WEXITSTATUS(st) > CHECK_ERROR)
        snprintf(o->why, sizeof(o->why), "vmemu exited with status %d", WEXITSTATUS(st));
    o->finished = true;
    o->result = o->why[0]                       ? CASE_ERROR
                : WEXITSTATUS(st) == CHECK_PASS ? CASE_PASS
                : WEXITSTATUS(st) == CHECK_FAIL ? CASE_FAIL
                                                : CASE_ERROR;
    s->pid = 0;
}

/* Read what is there on the running slots' pipes, or time them out. */
static void pump(struct slot *slots, int jobs)
{
    struct pollfd p[512];
    int map[512], n = 0;
    double t = now(), wait = 1.0;
    for (int k = 0; k < jobs; k++) {
        if (!slots[k].pid)
            continue;
        if (t >= slots[k].deadline && !slots[k].timed_out) {
            kill(slots[k].pid, SIGKILL);
            slots[k].timed_out = true;
        }
        if (slots[k].deadline - t < wait)
            wait = slots[k].deadline - t;
        for (int f = 0; f < 2; f++)
            if (slots[k].fd[f] >= 0) {
                p[n] = (struct pollfd){.fd = slots[k].fd[f], .events = POLLIN};
                map[n++] = k * 2 + f;
            }
    }
    int ready = poll(p, (nfds_t)n, wait > 0 ? (int)(wait * 1000) + 1 : 0);
    for (int i = 0; ready > 0 && i < n; i++) {
        if (!p[i].revents)
            continue;
        struct slot *s = &slots[map[i] / 2];
        int f = map[i] % 2;
        char chunk[65536];
        ssize_t got = read(s->fd[f], chunk, sizeof(chunk));
        if (got > 0) {
            append(&s->buf[f], chunk, (size_t)got);
        } else if (got == 0 || errno != EINTR) {
            close(s->fd[f]);
            s->fd[f] = -1;
        }
    }
}

/* The report's lines after the first (the verdict), indented under the case's row. */
static void print_details(const struct case_outcome *o)
{
    const char *r = o->report ? o->report : "";
    const char *nl = strchr(r, '\n');
    for (const char *l = nl ? nl + 1 : ""; *l;) {
        const char *e = strchr(l, '\n');
        int n = e ? (int)(e - l) : (int)strlen(l);
        printf("    %.*s\n", n, l);
        l += n + (e ? 1 : 0);
    }
    if (o->result != CASE_ERROR || !o->log_len)
        return;
    /* An error: the last lines vmemu and the program wrote say why. */
    const char *start = o->log + o->log_len;
    for (int lines = 0; start > o->log && lines < 11; start--)
        lines += start[-1] == '\n';
    printf("    its last messages:\n");
    for (const char *l = start; *l;) {
        const char *e = strchr(l, '\n');
        int n = e ? (int)(e - l) : (int)strlen(l);
        printf("      %.*s\n", n, l);
        l += n + (e ? 1 : 0);
    }
}

static void print_row(const struct check_config *cfg, const struct suite_case *c,
                      const struct case_outcome *o, int width)
{
    static const char *const names[] = {"pass", "FAIL", "ERROR"};
    const char *level = o->level ? check_level_name(o->level) : "?";
    if (o->result == CASE_PASS) {
        printf("%-6s %-*s %s\n", cfg->update ? "wrote" : "pass", width, c->name, level);
    } else {
        char msg[256];
        outcome_message(o, c->expected, msg, sizeof(msg));
        printf("%-6s %-*s %-10s %s\n", names[o->result], width, c->name, level, msg);
        print_details(o);
    }
    fflush(stdout);
}

static bool write_report(const char *path, const struct suite *s, const struct case_outcome *o,
                         bool times, bool junit)
{
    FILE *f = fopen(path, "we");
    if (f) {
        (junit ? suite_write_junit : suite_write_json)(f, s, o, times);
        if (fclose(f) == 0)
            return true;
    }
    fprintf(stderr, "vmemu check: cannot write %s: %s\n", path, strerror(errno));
    return false;
}

/* Keep only the cases --case names (a shell pattern), in their order; false when none is left. */
static bool select_cases(struct suite *s, const char *pattern)
{
    size_t kept = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!pattern || fnmatch(pattern, s->cases[i].name, 0) == 0) {
            struct suite_case c = s->cases[i];
            s->cases[i] = s->cases[kept];
            s->cases[kept++] = c;
        }
    }
    for (size_t i = kept; i < s->n; i++)
        suite_case_free(&s->cases[i]);
    s->n = kept;
    return kept > 0;
}

/* Run every case, -j at a time; rows printed in the suite's order as their turn comes. */
static void run_all(const struct check_config *cfg, const struct suite *s, const char *exe,
                    struct case_outcome *out, int width)
{
    int jobs = cfg->jobs < (int)s->n ? cfg->jobs : (int)s->n;
    struct slot slots[256];
    memset(slots, 0, sizeof(slots));
    size_t next = 0, printed = 0;
    int running = 0;
    while (printed < s->n) {
        for (int k = 0; k < jobs && next < s->n; k++) {
            if (slots[k].pid)
                continue;
            struct words argv = {0};
            struct case_outcome *o = &out[next];
            o->level = known_level(cfg, &s->cases[next]);
            if (!child_argv(exe, cfg, &s->cases[next], &argv))
                snprintf(o->why, sizeof(o->why), "out of memory");
            else if (spawn(&slots[k], argv.v, &s->cases[next], o->why, sizeof(o->why)))
                slots[k].index = next, running++;
            o->finished = o->why[0] != '\0';
            if (o->finished)
                o->result = CASE_ERROR;
            words_free(&argv);
            next++;
        }
        if (running)
            pump(slots, jobs);
        for (int k = 0; k < jobs; k++) {
            if (slots[k].pid && slots[k].fd[0] < 0 && slots[k].fd[1] < 0) {
                reap(&slots[k], &out[slots[k].index]);
                running--;
            }
        }
        for (; printed < s->n && out[printed].finished; printed++)
            print_row(cfg, &s->cases[printed], &out[printed], width);
    }
}

int check_suite(const struct check_config *cfg, char *const *run_opts, int nrun_opts)
{
    if (nrun_opts) {
        fprintf(stderr,
                "vmemu check: '%s' with --suite: a suite's run options are in its "
                "manifest (options = ...)\n",
                run_opts[0]);
        return CHECK_ERROR;
    }
    struct suite s;
    char why[512], exe[PATH_MAX];
    if (!suite_load(cfg->suite, cfg->programs, &s, why, sizeof(why))) {
        fprintf(stderr, "vmemu check: %s\n", why);
        return CHECK_ERROR;
    }
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0 || !select_cases(&s, cfg->only)) {
        if (n <= 0)
            fprintf(stderr, "vmemu check: cannot find vmemu itself: %s\n", strerror(errno));
        else
            fprintf(stderr, "vmemu check: no case of %s is named '%s'\n", cfg->suite, cfg->only);
        suite_free(&s);
        return CHECK_ERROR;
    }
    exe[n] = '\0';
    struct case_outcome *out = calloc(s.n, sizeof(*out));
    if (!out) {
        suite_free(&s);
        fprintf(stderr, "vmemu check: out of memory\n");
        return CHECK_ERROR;
    }
    int width = 4;
    for (size_t i = 0; i < s.n; i++)
        if ((int)strlen(s.cases[i].name) > width)
            width = (int)strlen(s.cases[i].name) < 40 ? (int)strlen(s.cases[i].name) : 40;
    printf("%-6s %-*s %s\n", "result", width, "case", "level");
    fflush(stdout);
    run_all(cfg, &s, exe, out, width);
    size_t count[3] = {0};
    for (size_t i = 0; i < s.n; i++)
        count[out[i].result]++;
    printf("%zu case%s: %zu passed, %zu failed, %zu error%s\n", s.n, s.n == 1 ? "" : "s",
           count[CASE_PASS], count[CASE_FAIL], count[CASE_ERROR],
           count[CASE_ERROR] == 1 ? "" : "s");
    bool written = (!cfg->junit || write_report(cfg->junit, &s, out, cfg->times, true)) &
                   (!cfg->json || write_report(cfg->json, &s, out, cfg->times, false));
    for (size_t i = 0; i < s.n; i++)
        free(out[i].report), free(out[i].log);
    free(out);
    suite_free(&s);
    return count[CASE_ERROR] || !written ? CHECK_ERROR : count[CASE_FAIL] ? CHECK_FAIL : CHECK_PASS;
}
