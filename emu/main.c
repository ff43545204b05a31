/*
 * vmemu's command line: vmemu run [OPTIONS] PROGRAM [ARGS...]
 * Options are GNU-style long options, as --opt=value or --opt value; the
 * first argument that is not an option is the program.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emu/options.h"
#include "emu/report.h"
#include "emu/task.h"
#include "mm/fs.h"
#include "mm/mm_init.h"

#define EXIT_USAGE 2
#define EXIT_SETUP 125 /* vmemu itself could not start, as env(1) uses it */

extern char **environ;

static void usage(FILE *out)
{
    fprintf(out, "usage: vmemu run [OPTIONS] PROGRAM [ARGS...]\n"
                 "       vmemu --help | --version\n"
                 "\n"
                 "Runs a static x86-64 Linux program on an emulated CPU whose memory is\n"
                 "managed by vmemu's own model of the Linux kernel's mm/.\n"
                 "\n"
                 "options:\n"
                 "  --ram SIZE          guest RAM, with K, M or G suffix (default 256M)\n"
                 "  --quiet             no summary on stderr at exit\n"
                 "  --cache=warm|cold   file pages start cached (warm, default) or not\n"
                 "  --seed N            seed for AT_RANDOM and getrandom (default 0)\n"
                 "  --realtime          use the host clock instead of the virtual clock\n"
                 "  --vma-tree NAME     the VMA tree implementation (default array)\n"
                 "  --help, --version\n");
}

/* "256M", "1G", "65536K", "1048576": bytes, or 0 if malformed. */
static uint64_t parse_size(const char *s)
{
    char *end;
    errno = 0;
    uint64_t v = strtoull(s, &end, 10);
    if (errno || end == s)
        return 0;
    uint64_t mul = 1;
    switch (*end) {
    case 'k':
    case 'K':
        mul = 1ULL << 10;
        end++;
        break;
    case 'm':
    case 'M':
        mul = 1ULL << 20;
        end++;
        break;
    case 'g':
    case 'G':
        mul = 1ULL << 30;
        end++;
        break;
    default:
        break;
    }
    if (mul > 1 && (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0))
        end += strlen(end);
    if (*end || v > UINT64_MAX / mul)
        return 0;
    return v * mul;
}

/* Match --name or --name=value; the value may be the next argument. */
static bool take_option(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return false;
    if (a[n] == '=') {
        *value = a + n + 1;
        return true;
    }
    if (a[n] != '\0')
        return false;
    if (!value)
        return true;
    if (*i + 1 >= argc) {
        fprintf(stderr, "vmemu: option %s needs a value\n", name);
        exit(EXIT_USAGE);
    }
    *value = argv[++*i];
    return true;
}

static void bad_value(const char *opt, const char *v)
{
    fprintf(stderr, "vmemu: invalid value for %s: '%s'\n", opt, v);
    exit(EXIT_USAGE);
}

/* Parse options from argv[*i] on; leaves *i on the program name. */
static void parse_options(int argc, char **argv, int *i, struct vmemu_options *o)
{
    for (; *i < argc && argv[*i][0] == '-'; (*i)++) {
        const char *v = NULL;
        if (strcmp(argv[*i], "--") == 0) {
            (*i)++;
            return;
        } else if (take_option(argc, argv, i, "--ram", &v)) {
            if (!(o->ram_bytes = parse_size(v)))
                bad_value("--ram", v);
        } else if (take_option(argc, argv, i, "--quiet", NULL)) {
            o->quiet = true;
        } else if (take_option(argc, argv, i, "--cache", &v)) {
            if (strcmp(v, "warm") && strcmp(v, "cold"))
                bad_value("--cache", v);
            o->cache_cold = strcmp(v, "cold") == 0;
        } else if (take_option(argc, argv, i, "--seed", &v)) {
            char *end;
            o->seed = strtoull(v, &end, 0);
            if (*end || !*v)
                bad_value("--seed", v);
        } else if (take_option(argc, argv, i, "--realtime", NULL)) {
            o->realtime = true;
        } else if (take_option(argc, argv, i, "--vma-tree", &v)) {
            o->vma_tree = v;
        } else if (strcmp(argv[*i], "--help") == 0) {
            usage(stdout);
            exit(0);
        } else {
            fprintf(stderr, "vmemu: unknown option '%s' (try --help)\n", argv[*i]);
            exit(EXIT_USAGE);
        }
    }
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmd_run(int argc, char **argv, int i)
{
    struct vmemu_options o = {.ram_bytes = 256ULL << 20, .vma_tree = "array"};
    parse_options(argc, argv, &i, &o);
    if (i >= argc) {
        fprintf(stderr, "vmemu run: no program given (try --help)\n");
        return EXIT_USAGE;
    }
    int err = mm_init(o.ram_bytes);
    if (err) {
        fprintf(stderr, "vmemu: cannot set up %" PRIu64 " bytes of guest RAM: %s\n", o.ram_bytes,
                strerror(-err));
        return EXIT_SETUP;
    }
    filemap_cold = o.cache_cold;
    const char *why = NULL;
    struct task *t = task_create(&o, &why);
    if (!t) {
        fprintf(stderr, "vmemu: %s\n", why);
        mm_exit();
        return EXIT_SETUP;
    }
    t->pgalloc_start = report_pgalloc_total();
    double start = now_seconds();
    int status;
    if (task_exec(t, argv[i], argv + i, environ, &status) == 0) {
        status = task_run(t);
        if (!o.quiet)
            report_summary(t, status, now_seconds() - start);
    }
    task_destroy(t);
    mm_exit();
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("vmemu %s\n", VMEMU_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "run") == 0)
        return cmd_run(argc, argv, 2);
    fprintf(stderr, "vmemu: unknown command '%s' (try --help)\n", argv[1]);
    return EXIT_USAGE;
}
