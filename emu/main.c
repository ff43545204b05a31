/*
 * vmemu's command line: vmemu run [OPTIONS] PROGRAM [ARGS...]
 * Options are GNU-style long options, as --opt=value or --opt value; the
 * first argument that is not an option, or the one after --, is the
 * program. VMEMU_OPTIONS's options come first (emu/env_options.c).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <time.h>

#include "emu/cli.h"
#include "emu/cpu.h"
#include "emu/env_options.h"
#include "emu/hostsig.h"
#include "emu/trace/check.h"
#include "emu/trace/check_probe.h"
#include "emu/trace/memreport.h"
#include "emu/options.h"
#include "emu/fs/mount.h"
#include "emu/fs/procfs.h"
#include "emu/fs/vfs.h"
#include "emu/trace/report.h"
#include "emu/trace/report_cmd.h"
#include "emu/trace/run_report.h"
#include "emu/kernel/exit.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"
#include "emu/trace/trace.h"
#include "emu/version.h"
#include "mm/array_size.h"
#include "mm/writeback.h"
#include "mm/fault_inject.h"
#include "mm/mm_init.h"
#include "mm/seq.h"
#include "mm/mmzone.h"
#include "mm/vma_tree.h"

#define EXIT_USAGE 2
#define EXIT_SETUP 125 /* vmemu itself could not start, as env(1) uses it */

extern char **environ;

static void usage(FILE *out)
{
    static const char *const text[] = {
        "usage: vmemu run [OPTIONS] PROGRAM [ARGS...]",
        "       vmemu check [OPTIONS] [--update] [--level=L] EXPECTED PROGRAM [ARGS...]",
        "       vmemu check --suite DIR|MANIFEST [-j N] [--junit FILE] [--json FILE]",
        "       vmemu report TRACE.jsonl -o REPORT.html [--perfetto TRACE.json]",
        "       vmemu -h | --help | -V | --version",
        "",
        "Runs an x86-64 Linux program on an emulated CPU whose memory is",
        "managed by vmemu's own model of the Linux kernel's mm/.",
        "",
        "options:",
        "  --ram SIZE          guest RAM, with K, M or G suffix (default 256M, at least 16M)",
        "  --quiet             no summary on stderr at exit",
        "  --cache=warm|cold   file pages start cached (warm, default) or not",
        "  --swap SIZE         swap space of SIZE in a sparse temporary host file",
        "  --swap-file PATH    the swap area in PATH (created, or an existing swap",
        "                      file; kept after the run; its size unless --swap)",
        "  --seed N            seed for AT_RANDOM and getrandom (default 0; decimal or 0x hex)",
        "  --realtime          use the host clock instead of the virtual clock",
        "  --vma-tree NAME     VMA tree: maple (default), rbtree or array",
        "  --trace=LIST        trace events: fault, mm, syscall, pagecache, proc, access,",
        "                      memory, reclaim, all",
        "  --trace-format=F    text (default) or jsonl (with --trace)",
        "  --trace-file=PATH   where the trace goes (default stderr; with --trace)",
        "  --fault-mode=M      auto (default: inline unless faults are traced),",
        "                      inline or precise",
        "  --cpus N            CPUs the guest is told it has, 1 to 64 (default 1)",
        "  --maps              print the final /proc/self/maps at exit",
        "  --report=LIST       print /proc files at exit (meminfo,buddyinfo,slabinfo,",
        "                      zoneinfo,vmstat,status,stat) on stderr",
        "  --check-leaks       after teardown, check every frame is free again",
        "  --root DIR          the guest sees DIR as / (like chroot; see docs/security.md)",
        "  --fail-alloc=SPEC   make page and slab allocations fail: nth=N, every=K or",
        "                      random=PERCENT, then ,seed=S ,after=M ,times=T (testing)",
        "  --html=FILE         write an HTML report of the run (self-contained)",
        "  --perfetto=FILE     write a Chrome JSON trace for Perfetto / chrome://tracing",
        "  --access-sample=T   sample accessed bits every T of virtual time (200us, 1ms;",
        "                      off by default, 500us with --html; off turns it off)",
        "  --progress          a live status line on the terminal",
        "  -h, --help          this help",
        "  -V, --version       vmemu's version and the libraries' it runs with",
        "",
        "Options in VMEMU_OPTIONS come before the command line's; -- ends options.",
        "check runs the program like run, with an empty environment and argv[0]",
        "its base name, and compares what it did with EXPECTED at the level its",
        "header names (exact, normalized or summary); --update rewrites EXPECTED;",
        "--suite runs many such checks (see vmemu(1) and docs/tracing.md).",
        "report turns a saved --trace-format=jsonl --trace=all trace into the",
        "HTML report (-o) and/or a Perfetto trace (see vmemu(1)).",
    };
    for (size_t i = 0; i < ARRAY_SIZE(text); i++)
        fprintf(out, "%s\n", text[i]);
}

/* "256M", "1G", "65536K", "1048576": bytes, or 0 if malformed. */
static uint64_t parse_size(const char *s)
{
    char *end;
    if (!isdigit((unsigned char)s[0]))
        return 0; /* strtoull would take "-1", "+1" and " 1" */
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

/* A number, decimal or 0x hexadecimal, that fits 64 bits; false otherwise. */
static bool parse_u64(const char *s, uint64_t *out)
{
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, s += 2; /* no octal: --seed 010 is ten */
    if (!(base == 16 ? isxdigit((unsigned char)s[0]) : isdigit((unsigned char)s[0])))
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

/* Match --name or --name=value; the value may be the next argument. */
static bool take_option(int argc, char **argv, int *i, const char *name, const char **value)
{
    return cli_take_option(argc, argv, i, name, value, "vmemu");
}

/* One line saying what is wrong with the value and what is accepted; exit 2. */
static void bad_value(const char *opt, const char *v, const char *accepted)
{
    fprintf(stderr, "vmemu: invalid value for %s: '%s' (%s)\n", opt, v, accepted);
    exit(EXIT_USAGE);
}

/* Guest RAM: phys_init's minimum, whole pages, and no more than the host has. */
static uint64_t parse_ram(const char *v)
{
    uint64_t bytes = parse_size(v);
    if (!bytes)
        bad_value("--ram", v, "a size such as 256M, 1G or 65536K");
    if (bytes < PHYS_MIN_RAM_BYTES) {
        fprintf(stderr, "vmemu: --ram %s is too small: guest RAM must be at least %lluM\n", v,
                PHYS_MIN_RAM_BYTES >> 20);
        exit(EXIT_USAGE);
    }
    if (bytes % PAGE_SIZE) {
        fprintf(stderr, "vmemu: --ram %s is not a whole number of %luK pages\n", v,
                PAGE_SIZE >> 10);
        exit(EXIT_USAGE);
    }
    /* Every frame has its struct page, written at start: more than the host is swapping. */
    struct sysinfo si;
    if (sysinfo(&si) == 0 && bytes / si.mem_unit > si.totalram) {
        fprintf(stderr, "vmemu: --ram %s is more than this machine's memory (%lluM)\n", v,
                (unsigned long long)si.totalram * si.mem_unit >> 20);
        exit(EXIT_USAGE);
    }
    return bytes;
}

/* Swap space: whole pages, at least mkswap's 40K, at most 1T (mm/swapfile.c checks it too). */
static uint64_t parse_swap(const char *v)
{
    uint64_t bytes = parse_size(v);
    if (!bytes || bytes % PAGE_SIZE || bytes < (40ULL << 10) || bytes > (1ULL << 40))
        bad_value("--swap", v, "a whole number of 4K pages from 40K to 1T, such as 512M");
    return bytes;
}

/*
 * The trace options are for a trace: --trace-file or --trace-format without
 * --trace would be silently ignored, so they are refused. check writes its
 * trace nowhere but into the comparison: --trace-file is refused there.
 */
static void check_trace_options(const struct vmemu_options *o, bool format_given)
{
    if (o->portable && o->trace_file) {
        fprintf(stderr, "vmemu check: --trace-file is not used: the trace is compared with "
                        "EXPECTED (use run --trace to keep one)\n");
        exit(EXIT_USAGE);
    }
    if (!o->portable && !o->trace && (o->trace_file || format_given)) {
        fprintf(stderr, "vmemu: %s needs --trace=LIST: nothing is traced without it\n",
                o->trace_file ? "--trace-file" : "--trace-format");
        exit(EXIT_USAGE);
    }
}

#define TRACE_NAMES "a comma list of fault, mm, syscall, pagecache or all"

/* Parse options from argv[*i] on; leaves *i on the first word that is not one. */
static void parse_option_words(int argc, char **argv, int *i, struct vmemu_options *o,
                               bool *format_given, const char *origin)
{
    for (; *i < argc && argv[*i][0] == '-'; (*i)++) {
        const char *v = NULL;
        if (strcmp(argv[*i], "--") == 0) {
            (*i)++;
            break;
        } else if (take_option(argc, argv, i, "--ram", &v)) {
            o->ram_bytes = parse_ram(v);
        } else if (take_option(argc, argv, i, "--quiet", NULL)) {
            o->quiet = true;
        } else if (take_option(argc, argv, i, "--cache", &v)) {
            if (strcmp(v, "warm") && strcmp(v, "cold"))
                bad_value("--cache", v, "warm or cold");
            o->cache_cold = strcmp(v, "cold") == 0;
        } else if (take_option(argc, argv, i, "--swap", &v)) {
            o->swap_bytes = parse_swap(v);
        } else if (take_option(argc, argv, i, "--swap-file", &v)) {
            o->swap_file = v;
        } else if (take_option(argc, argv, i, "--seed", &v)) {
            if (!parse_u64(v, &o->seed))
                bad_value("--seed", v, "a number from 0 to 2^64-1, decimal or 0x hex");
        } else if (take_option(argc, argv, i, "--realtime", NULL)) {
            o->realtime = true;
        } else if (take_option(argc, argv, i, "--vma-tree", &v)) {
            if (!vma_tree_ops_by_name(v))
                bad_value("--vma-tree", v, "maple, rbtree or array");
            o->vma_tree = v;
        } else if (take_option(argc, argv, i, "--trace", &v)) {
            const char *bad;
            if (trace_parse_categories(v, &o->trace, &bad) != 0)
                bad_value("--trace", bad, TRACE_NAMES);
            if (!o->trace)
                bad_value("--trace", v, TRACE_NAMES);
        } else if (take_option(argc, argv, i, "--trace-format", &v)) {
            if (strcmp(v, "text") && strcmp(v, "jsonl"))
                bad_value("--trace-format", v, "text or jsonl");
            o->trace_jsonl = strcmp(v, "jsonl") == 0;
            *format_given = true;
        } else if (take_option(argc, argv, i, "--trace-file", &v)) {
            o->trace_file = v;
        } else if (take_option(argc, argv, i, "--fault-mode", &v)) {
            if (strcmp(v, "auto") == 0)
                o->fault_mode = FAULT_MODE_AUTO;
            else if (strcmp(v, "inline") == 0)
                o->fault_mode = FAULT_MODE_INLINE;
            else if (strcmp(v, "precise") == 0)
                o->fault_mode = FAULT_MODE_PRECISE;
            else
                bad_value("--fault-mode", v, "auto, inline or precise");
        } else if (take_option(argc, argv, i, "--report", &v)) {
            char bad[64];
            if (!report_list_valid(v, bad, sizeof(bad)))
                bad_value("--report", bad, "a comma list of /proc files such as meminfo,vmstat");
            o->report = v;
        } else if (take_option(argc, argv, i, "--fail-alloc", &v)) {
            if (fail_alloc_configure(v) != 0)
                bad_value("--fail-alloc", v,
                          "nth=N, every=K or random=PERCENT, then ,seed=S ,after=M ,times=T");
        } else if (take_option(argc, argv, i, "--check-leaks", NULL)) {
            o->check_leaks = true;
        } else if (take_option(argc, argv, i, "--cpus", &v)) {
            char *end;
            unsigned long n = strtoul(v, &end, 10);
            if (*v < '0' || *v > '9' || *end || n < 1 || n > 64)
                bad_value("--cpus", v, "a number of CPUs from 1 to 64");
            o->cpus = (unsigned int)n;
        } else if (take_option(argc, argv, i, "--root", &v)) {
            o->root = v;
        } else if (take_option(argc, argv, i, "--maps", NULL)) {
            o->maps = true;
        } else if (o->portable && check_option(argc, argv, i)) {
            continue; /* check's own options: emu/trace/check_cli.c */
        } else if (run_report_option(argc, argv, i, o)) {
            continue;
        } else if (strcmp(argv[*i], "--help") == 0 || strcmp(argv[*i], "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (strcmp(argv[*i], "--version") == 0 || strcmp(argv[*i], "-V") == 0) {
            print_version(stdout);
            exit(0);
        } else {
            fprintf(stderr, "vmemu: unknown option '%s'%s (try --help)\n", argv[*i], origin);
            exit(EXIT_USAGE);
        }
    }
}

/* VMEMU_OPTIONS's options, then the command line's, which win; leaves *i on the program. */
static void parse_options(int argc, char **argv, int *i, struct vmemu_options *o)
{
    bool format_given = false;
    int env_argc, e = 0;
    char **env_argv = env_options(&env_argc);
    parse_option_words(env_argc, env_argv, &e, o, &format_given, " in VMEMU_OPTIONS");
    if (e < env_argc) {
        fprintf(stderr, "vmemu: VMEMU_OPTIONS holds options only: '%s' is not one\n", env_argv[e]);
        exit(EXIT_USAGE);
    }
    parse_option_words(argc, argv, i, o, &format_given, "");
    check_trace_options(o, format_given);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* --maps: the first process's map as it was when it ended. */
static void print_maps_at_exit(void)
{
    const char *text = final_maps_text();
    if (text)
        fputs(text, stderr);
    else
        fprintf(stderr, "vmemu: the memory map cannot be shown\n");
}

/* Run one program with the options; returns vmemu's exit status. */
static int run_program(const struct vmemu_options *o, char **argv, char **envp, FILE *trace_out)
{
    /*
     * A write past RLIMIT_FSIZE is the guest's SIGXFSZ, decided by vmemu
     * against the guest's own limit; vmemu's own writes (guest RAM, the
     * page cache's writeback) just fail, and say so.
     */
    signal(SIGXFSZ, SIG_IGN);
    /* testing: VMEMU_TEST_EAGER_MEMMAP=1 writes every struct page at boot */
    const char *eager = getenv("VMEMU_TEST_EAGER_MEMMAP");
    struct mm_settings mm = {.ram_bytes = o->ram_bytes,
                             .cache_cold = o->cache_cold,
                             .swap_bytes = o->swap_bytes,
                             .swap_file = o->swap_file,
                             .eager_memmap = eager && strcmp(eager, "1") == 0};
    int err = mm_init(&mm);
    if (err && (o->swap_bytes || o->swap_file)) {
        fprintf(stderr, "vmemu: cannot set up swap%s%s: %s\n", o->swap_file ? " in " : "",
                o->swap_file ? o->swap_file : "", strerror(-err));
        return EXIT_SETUP;
    }
    if (err) {
        fprintf(stderr, "vmemu: cannot set up %" PRIu64 " bytes of guest RAM: %s\n", o->ram_bytes,
                strerror(-err));
        return EXIT_SETUP;
    }
    char vfs_why[PATH_MAX + 64];
    if (vfs_init(o->root, vfs_why, sizeof(vfs_why)) != 0) {
        fprintf(stderr, "vmemu: %s\n", vfs_why);
        mm_exit();
        return EXIT_USAGE;
    }
    check_probe_start(); /* VMEMU_TEST_PERTURB; check's summary level starts counting */
    unsigned long free_before = o->check_leaks ? leak_check_start() : 0;
    const char *why = NULL;
    struct task *t = task_create(o, &why);
    if (t)
        check_probe_task_ready(); /* the summary's counters start after the streams are made */
    struct tracer *tr = NULL;
    if (t && trace_out && !(tr = trace_open(trace_out, o->trace, o->trace_jsonl)))
        why = "out of memory for the tracer";
    if (!t || (trace_out && !tr) || run_report_begin(o, &tr) != 0) {
        if (why)
            fprintf(stderr, "vmemu: %s\n", why);
        run_report_finish();
        trace_close(tr);
        if (t)
            kernel_exit(t->cpu);
        vfs_exit();
        mm_exit();
        return why ? EXIT_SETUP : EXIT_USAGE;
    }
    struct cpu *cpu_of_run = t->cpu;
    task_set_tracer(t, tr);
    kernel_random_seed(o->seed);
    host_signals_install();
    /* Traced faults need the faulting instruction: only the precise path has it. */
    bool traced = trace_wants(tr, TRACE_FAULT);
    if (o->fault_mode == FAULT_MODE_INLINE && traced)
        fprintf(stderr, "vmemu: --fault-mode=inline ignored: traced faults are precise\n");
    cpu_set_inline_faults(t->cpu, !traced && o->fault_mode != FAULT_MODE_PRECISE);
    report_mark_start();
    double start = now_seconds();
    int status;
    const char *path = argv[0];
    if (o->portable) {
        const char *b = strrchr(argv[0], '/');
        argv[0] = (char *)(b ? b + 1 : argv[0]);
    }
    trace_header(tr, t, argv);
    if (task_exec(t, path, argv[0], argv, envp, &status) == 0) {
        uint64_t none[6] = {0};
        trace_syscall(tr, t, SYS_execve, none, 0);
        status = kernel_run(t);
        run_report_end_of_run();
        /* However the programs ended, what they wrote goes to their files now. */
        writeback_all(WB_REASON_EXIT);
        /* Data the programs were never told they lost: vmemu's status says so if theirs does not.
         */
        if (report_unseen_writeback_errors() && status == 0)
            status = EXIT_DATA_LOST;
        if (o->maps)
            print_maps_at_exit();
        if (o->report)
            report_proc_files(NULL, o->report);
        if (!o->quiet)
            report_summary(status, now_seconds() - start);
    }
    trace_close(tr);
    if (run_report_finish() != 0 && status == 0)
        status = EXIT_SETUP;
    kernel_exit(cpu_of_run);
    exit_records_free();
    report_capture_free();
    if (o->check_leaks && leak_check_finish(free_before) != 0)
        status = EXIT_SETUP;
    vfs_exit();
    if (o->check_leaks)
        mm_exit();
    else
        mm_exit_fast(); /* files written; RAM is the host's to take back at exit */
    return status;
}

static FILE *open_trace_file(const struct vmemu_options *o)
{
    if (!o->trace)
        return NULL;
    if (!o->trace_file)
        return stderr;
    FILE *f = fopen(o->trace_file, "we"); /* "e": never a descriptor a guest could reach */
    if (!f) {
        fprintf(stderr, "vmemu: cannot write the trace to %s: %s\n", o->trace_file,
                strerror(errno));
        exit(EXIT_USAGE);
    }
    return f;
}

static int cmd_run(int argc, char **argv, int i)
{
    struct vmemu_options o = {.ram_bytes = 256ULL << 20, .vma_tree = "maple", .cpus = 1};
    parse_options(argc, argv, &i, &o);
    if (i >= argc) {
        fprintf(stderr, "vmemu run: no program given (try --help)\n");
        return EXIT_USAGE;
    }
    FILE *trace_out = open_trace_file(&o);
    int status = run_program(&o, argv + i, environ, trace_out);
    /* A trace that could not be written is data lost, as a report is. */
    if (trace_out && trace_out != stderr && (ferror(trace_out) | fclose(trace_out))) {
        fprintf(stderr, "vmemu: cannot write the trace to %s: %s\n", o.trace_file, strerror(errno));
        if (status == 0)
            status = EXIT_SETUP;
    }
    return status;
}

static int cmd_check(int argc, char **argv, int i)
{
    struct vmemu_options o = {
        .ram_bytes = 256ULL << 20, .vma_tree = "maple", .quiet = true, .portable = true, .cpus = 1};
    return check_main(argc, argv, i, &o, parse_options, run_program);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        print_version(stdout);
        return 0;
    }
    if (strcmp(argv[1], "run") == 0)
        return cmd_run(argc, argv, 2);
    if (strcmp(argv[1], "check") == 0)
        return cmd_check(argc, argv, 2);
    if (strcmp(argv[1], "report") == 0)
        return cmd_report(argc, argv, 2);
    fprintf(stderr, "vmemu: unknown command '%s' (try --help)\n", argv[1]);
    return EXIT_USAGE;
}
