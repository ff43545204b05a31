/*
 * The strace-style decoder: turns a system call's registers and the guest
 * memory they point to into the text strace would print. Signatures come
 * from strace_table.c, names from strace_xlat.c. Memory is peeked, never
 * faulted in (task_peek_user), so decoding cannot change the run.
 */
#define _GNU_SOURCE
#include "emu/trace/strace.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "emu/kernel/task.h"
#include "emu/trace/strace_table.h"
#include "emu/trace/strace_xlat.h"

#define MAX_STRLEN 32 /* strace's -s default: bytes of a string shown before "..." */
#define MAX_ELEMS 32  /* elements of an array shown before "..." */

struct ctx {
    struct task *t;
    uint64_t nr;
    const uint64_t *a;
    long ret;
    bool exited;
};

/* The call returned without error: what it wrote can be shown. */
static bool succeeded(const struct ctx *c)
{
    return c->exited && c->ret >= 0;
}

static bool peek(const struct ctx *c, uint64_t addr, void *buf, size_t n)
{
    return c->t && n && task_peek_user(c->t, buf, addr, n);
}

void strace_call_init(struct strace_call *c)
{
    memset(c, 0, sizeof(*c));
    for (int i = 0; i < STRACE_ARGS_MAX; i++)
        seq_init(&c->arg[i]);
    seq_init(&c->result);
}

void strace_call_free(struct strace_call *c)
{
    for (int i = 0; i < STRACE_ARGS_MAX; i++)
        seq_free(&c->arg[i]);
    seq_free(&c->result);
}

static void seq_reset(struct seq *s)
{
    s->len = 0;
    s->overflow = 0;
    if (s->buf)
        s->buf[0] = '\0';
}

/* ---- strings ------------------------------------------------------------------------ */

/* Bytes as strace quotes them: C escapes, other unprintables in octal. */
static void quote(struct seq *s, const unsigned char *p, size_t n, bool more)
{
    seq_write(s, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = p[i];
        const char *esc = ch == '"'    ? "\\\""
                          : ch == '\\' ? "\\\\"
                          : ch == '\n' ? "\\n"
                          : ch == '\t' ? "\\t"
                          : ch == '\r' ? "\\r"
                          : ch == '\v' ? "\\v"
                          : ch == '\f' ? "\\f"
                                       : NULL;
        if (esc)
            seq_printf(s, "%s", esc);
        else if (ch >= 0x20 && ch < 0x7f)
            seq_write(s, &ch, 1);
        else if (i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7')
            seq_printf(s, "\\%03o", ch); /* all three digits: a digit follows */
        else
            seq_printf(s, "\\%o", ch);
    }
    seq_write(s, "\"", 1);
    if (more)
        seq_write(s, "...", 3);
}

void strace_quote_string(struct seq *s, const char *str)
{
    quote(s, (const unsigned char *)str, strlen(str), false);
}

static void hex_quote(struct seq *s, const unsigned char *p, size_t n, bool more)
{
    seq_write(s, "\"", 1);
    for (size_t i = 0; i < n; i++)
        seq_printf(s, "\\x%02x", p[i]);
    seq_write(s, "\"", 1);
    if (more)
        seq_write(s, "...", 3);
}

static void print_ptr(struct seq *s, uint64_t v)
{
    if (v)
        seq_printf(s, "%#llx", (unsigned long long)v);
    else
        seq_printf(s, "NULL");
}

/*
 * Read the NUL-terminated string at addr, at most max bytes, a page at a
 * time (a string may end just before an unmapped page). Returns its length,
 * or -1 if not even its start can be read; *cut is set when it goes on.
 */
static long read_cstr(const struct ctx *c, uint64_t addr, char *buf, size_t max, bool *cut)
{
    size_t got = 0;
    *cut = false;
    while (got < max) {
        size_t chunk = 4096 - ((addr + got) & 4095);
        if (chunk > max - got)
            chunk = max - got;
        if (!peek(c, addr + got, buf + got, chunk))
            return got ? (long)got : -1;
        char *nul = memchr(buf + got, '\0', chunk);
        if (nul)
            return nul - buf;
        got += chunk;
    }
    *cut = true;
    return (long)got;
}

/* A C string, at most limit bytes shown (strace: the whole of a path, 32 of others). */
static void print_cstr(const struct ctx *c, struct seq *s, uint64_t addr, size_t limit)
{
    static char buf[PATH_MAX + 2];
    if (!addr) {
        seq_printf(s, "NULL");
        return;
    }
    bool cut;
    /* One byte more than is shown: a string of exactly limit bytes is not cut. */
    long n = read_cstr(c, addr, buf, limit + 1, &cut);
    if (n < 0)
        print_ptr(s, addr);
    else
        quote(s, (const unsigned char *)buf, (size_t)n > limit ? limit : (size_t)n,
              cut || (size_t)n > limit);
}

/* len bytes at addr, at most 32 of them shown. */
static void print_buf(const struct ctx *c, struct seq *s, uint64_t addr, uint64_t len, bool hex)
{
    unsigned char buf[MAX_STRLEN];
    size_t n = len < MAX_STRLEN ? (size_t)len : MAX_STRLEN;
    if (!addr || (n && !peek(c, addr, buf, n))) {
        print_ptr(s, addr);
        return;
    }
    if (hex)
        hex_quote(s, buf, n, len > n);
    else
        quote(s, buf, n, len > n);
}

/* ---- numbers and structures ----------------------------------------------------------- */

static void print_mode(struct seq *s, uint64_t mode)
{
    seq_printf(s, "%#03llo", (unsigned long long)mode);
}

static void print_file_mode(struct seq *s, uint32_t mode)
{
    const char *type = xlat_name(mode_types, mode & S_IFMT);
    if (type)
        seq_printf(s, "%s|", type);
    print_mode(s, mode & ~S_IFMT);
}

static void print_open_flags(struct seq *s, uint64_t flags)
{
    xlat_value(s, open_access, flags & 3, 1);
    if (flags & ~3ULL) {
        seq_printf(s, "|");
        xlat_flags(s, open_flags, flags & ~3ULL);
    }
}

static void print_sigset_bits(struct seq *s, uint64_t set)
{
    int n = __builtin_popcountll(set);
    bool invert = n > 32;
    if (invert) {
        seq_printf(s, "~");
        set = ~set;
    }
    seq_printf(s, "[");
    int k = 0;
    for (int sig = 1; sig <= 64; sig++) {
        if (!(set & (1ULL << (sig - 1))))
            continue;
        char buf[16];
        const char *name = signal_name(sig, buf);
        seq_printf(s, "%s%s", k++ ? " " : "", name + 3); /* without "SIG", as strace lists them */
    }
    seq_printf(s, "]");
}

static void print_sigset(const struct ctx *c, struct seq *s, uint64_t addr)
{
    uint64_t set;
    if (!addr)
        seq_printf(s, "NULL");
    else if (!peek(c, addr, &set, sizeof(set)))
        print_ptr(s, addr);
    else
        print_sigset_bits(s, set);
}

static void print_signal(struct seq *s, uint64_t v)
{
    char buf[16];
    const char *name = signal_name((int)v, buf);
    if (name)
        seq_printf(s, "%s", name);
    else
        seq_printf(s, "%d", (int)v);
}

static void print_sigaction(const struct ctx *c, struct seq *s, uint64_t addr)
{
    struct k_sigaction ka;
    if (!addr) {
        seq_printf(s, "NULL");
        return;
    }
    if (!peek(c, addr, &ka, sizeof(ka))) {
        print_ptr(s, addr);
        return;
    }
    seq_printf(s, "{sa_handler=");
    if (ka.handler <= 1)
        seq_printf(s, "%s", ka.handler ? "SIG_IGN" : "SIG_DFL");
    else
        seq_printf(s, "%#llx", (unsigned long long)ka.handler);
    seq_printf(s, ", sa_mask=");
    print_sigset_bits(s, ka.mask);
    seq_printf(s, ", sa_flags=");
    xlat_flags(s, sigaction_flags, ka.flags);
    if (ka.flags & 0x04000000) /* SA_RESTORER */
        seq_printf(s, ", sa_restorer=%#llx", (unsigned long long)ka.restorer);
    seq_printf(s, "}");
}

static void print_stat(const struct ctx *c, struct seq *s, uint64_t addr)
{
    struct stat st;
    if (!succeeded(c) || !peek(c, addr, &st, sizeof(st))) {
        print_ptr(s, addr);
        return;
    }
    seq_printf(s, "{st_mode=");
    print_file_mode(s, st.st_mode);
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
        seq_printf(s, ", st_rdev=makedev(%#x, %#x), ...}", major(st.st_rdev), minor(st.st_rdev));
    else
        seq_printf(s, ", st_size=%lld, ...}", (long long)st.st_size);
}

static void print_statx(const struct ctx *c, struct seq *s, uint64_t addr)
{
    struct statx stx;
    if (!succeeded(c) || !peek(c, addr, &stx, sizeof(stx))) {
        print_ptr(s, addr);
        return;
    }
    seq_printf(s, "{stx_mask=");
    xlat_flags(s, statx_masks, stx.stx_mask);
    seq_printf(s, ", stx_attributes=%#llx, stx_mode=", (unsigned long long)stx.stx_attributes);
    print_file_mode(s, stx.stx_mode);
    seq_printf(s, ", stx_size=%llu, ...}", (unsigned long long)stx.stx_size);
}

static void print_timespec(const struct ctx *c, struct seq *s, uint64_t addr, bool usec)
{
    int64_t ts[2];
    if (!addr)
        seq_printf(s, "NULL");
    else if (!peek(c, addr, ts, sizeof(ts)))
        print_ptr(s, addr);
    else
        seq_printf(s, "{tv_sec=%lld, %s=%lld}", (long long)ts[0], usec ? "tv_usec" : "tv_nsec",
                   (long long)ts[1]);
}

static void print_iovecs(const struct ctx *c, struct seq *s, uint64_t addr, uint64_t count,
                         uint64_t data)
{
    seq_printf(s, "[");
    for (uint64_t i = 0; i < count; i++) {
        uint64_t iov[2];
        if (i == MAX_ELEMS) {
            seq_printf(s, ", ...");
            break;
        }
        if (!peek(c, addr + i * 16, iov, sizeof(iov))) {
            seq_printf(s, "%s...", i ? ", " : "");
            break;
        }
        seq_printf(s, "%s{iov_base=", i ? ", " : "");
        uint64_t shown = iov[1] < data ? iov[1] : data;
        print_buf(c, s, iov[0], shown, false);
        data -= shown;
        seq_printf(s, ", iov_len=%llu}", (unsigned long long)iov[1]);
    }
    seq_printf(s, "]");
}

static void print_rlim_value(struct seq *s, uint64_t v)
{
    if (v == ~0ULL)
        seq_printf(s, "RLIM64_INFINITY");
    else if (v && v % 1024 == 0)
        seq_printf(s, "%llu*1024", (unsigned long long)(v / 1024));
    else
        seq_printf(s, "%llu", (unsigned long long)v);
}

static void print_rlimit(const struct ctx *c, struct seq *s, uint64_t addr, bool out)
{
    uint64_t r[2];
    if (!addr)
        seq_printf(s, "NULL");
    else if ((out && !succeeded(c)) || !peek(c, addr, r, sizeof(r)))
        print_ptr(s, addr);
    else {
        seq_printf(s, "{rlim_cur=");
        print_rlim_value(s, r[0]);
        seq_printf(s, ", rlim_max=");
        print_rlim_value(s, r[1]);
        seq_printf(s, "}");
    }
}

static void print_wstatus(const struct ctx *c, struct seq *s, uint64_t addr)
{
    int st;
    if (!addr) {
        seq_printf(s, "NULL");
        return;
    }
    if (!succeeded(c) || c->ret == 0 || !peek(c, addr, &st, sizeof(st))) {
        print_ptr(s, addr);
        return;
    }
    char buf[16];
    if ((st & 0x7f) == 0)
        seq_printf(s, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]", (st >> 8) & 0xff);
    else if ((st & 0xff) == 0x7f)
        seq_printf(s, "[{WIFSTOPPED(s) && WSTOPSIG(s) == %s}]", signal_name((st >> 8) & 0xff, buf));
    else if (st == 0xffff)
        seq_printf(s, "[{WIFCONTINUED(s)}]");
    else
        seq_printf(s, "[{WIFSIGNALED(s) && WTERMSIG(s) == %s%s}]", signal_name(st & 0x7f, buf),
                   (st & 0x80) ? " && WCOREDUMP(s)" : "");
}

/* execve's argv: the strings, at most 32 of them. */
static void print_argv(const struct ctx *c, struct seq *s, uint64_t addr)
{
    if (!addr) {
        seq_printf(s, "NULL");
        return;
    }
    seq_printf(s, "[");
    for (int i = 0;; i++) {
        uint64_t p;
        if (!peek(c, addr + 8 * (uint64_t)i, &p, sizeof(p))) {
            seq_printf(s, "%s...", i ? ", " : "");
            break;
        }
        if (!p)
            break;
        if (i == MAX_ELEMS) {
            seq_printf(s, ", ...");
            break;
        }
        if (i)
            seq_printf(s, ", ");
        print_cstr(c, s, p, MAX_STRLEN);
    }
    seq_printf(s, "]");
}

/* execve's envp, as strace shows it by default: where it is and how many. */
static void print_envp(const struct ctx *c, struct seq *s, uint64_t addr)
{
    if (!addr) {
        seq_printf(s, "NULL");
        return;
    }
    unsigned long n = 0;
    uint64_t p;
    while (n < 100000 && peek(c, addr + 8 * n, &p, sizeof(p)) && p)
        n++;
    seq_printf(s, "%#llx /* %lu var%s */", (unsigned long long)addr, n, n == 1 ? "" : "s");
}

static void print_uname(const struct ctx *c, struct seq *s, uint64_t addr)
{
    char u[6][65];
    if (!succeeded(c) || !peek(c, addr, u, sizeof(u))) {
        print_ptr(s, addr);
        return;
    }
    u[0][64] = u[1][64] = '\0';
    seq_printf(s, "{sysname=");
    quote(s, (unsigned char *)u[0], strlen(u[0]), false);
    seq_printf(s, ", nodename=");
    quote(s, (unsigned char *)u[1], strlen(u[1]), false);
    seq_printf(s, ", ...}");
}

static void print_pollfds(const struct ctx *c, struct seq *s, uint64_t addr, uint64_t n)
{
    seq_printf(s, "[");
    for (uint64_t i = 0; i < n; i++) {
        struct {
            int32_t fd;
            int16_t events, revents;
        } p;
        if (i == MAX_ELEMS || !peek(c, addr + i * 8, &p, sizeof(p))) {
            seq_printf(s, "%s...", i ? ", " : "");
            break;
        }
        seq_printf(s, "%s{fd=%d, events=", i ? ", " : "", p.fd);
        xlat_flags(s, poll_events, (uint16_t)p.events);
        seq_printf(s, "}");
    }
    seq_printf(s, "]");
}

static void print_futex_op(struct seq *s, uint64_t op)
{
    xlat_value(s, futex_ops, op & 127, 0);
    if (op & 128)
        seq_printf(s, "_PRIVATE");
    if (op & 256)
        seq_printf(s, "|FUTEX_CLOCK_REALTIME");
}

/* The bytes a call wrote into the buffer at addr (its result counts them). */
static void print_out_bytes(const struct ctx *c, struct seq *s, uint64_t addr, bool hex)
{
    if (succeeded(c))
        print_buf(c, s, addr, (uint64_t)c->ret, hex);
    else
        print_ptr(s, addr);
}

/*
 * readlink's and getcwd's answer. getcwd's is a path, shown whole (its
 * result counts the NUL); readlink's is bytes, at most 32 shown.
 */
static void print_path_out(const struct ctx *c, struct seq *s, uint64_t addr)
{
    static unsigned char buf[PATH_MAX];
    size_t n = succeeded(c) ? (size_t)c->ret : 0;
    if (c->nr != SYS_getcwd) {
        print_out_bytes(c, s, addr, false);
        return;
    }
    if (n)
        n--;
    if (!succeeded(c) || n > sizeof(buf) || (n && !peek(c, addr, buf, n)))
        print_ptr(s, addr);
    else
        quote(s, buf, n, false);
}

/* ---- one argument ---------------------------------------------------------------------- */

/* Print argument i of the kind k; false when strace leaves it out. */
static bool print_arg(const struct ctx *c, struct seq *s, enum strace_arg k, int i)
{
    uint64_t v = c->a[i];
    switch (k) {
    case A_INT:
        seq_printf(s, "%d", (int)v);
        break;
    case A_LONG:
        seq_printf(s, "%lld", (long long)v);
        break;
    case A_ULONG:
        seq_printf(s, "%llu", (unsigned long long)v);
        break;
    case A_HEX:
        seq_printf(s, "%#llx", (unsigned long long)v);
        break;
    case A_PTR:
        print_ptr(s, v);
        break;
    case A_DIRFD:
        if ((int)v == AT_FDCWD)
            seq_printf(s, "AT_FDCWD");
        else
            seq_printf(s, "%d", (int)v);
        break;
    case A_PATH:
        print_cstr(c, s, v, PATH_MAX);
        break;
    case A_STR:
        print_cstr(c, s, v, MAX_STRLEN);
        break;
    case A_BUF_IN:
        print_buf(c, s, v, c->a[i + 1], false);
        break;
    case A_BUF_OUT:
        print_out_bytes(c, s, v, false);
        break;
    case A_RANDOM_OUT:
        print_out_bytes(c, s, v, true);
        break;
    case A_PATH_OUT:
        print_path_out(c, s, v);
        break;
    case A_OPEN_FLAGS:
        print_open_flags(s, v);
        break;
    case A_OPEN_MODE:
        if (!(c->a[i - 1] & (O_CREAT | 020000000))) /* O_CREAT or __O_TMPFILE */
            return false;
        print_mode(s, v);
        break;
    case A_MODE:
        print_mode(s, v);
        break;
    case A_PROT:
        if (v)
            xlat_flags(s, prot_flags, v);
        else
            seq_printf(s, "PROT_NONE");
        break;
    case A_MAP_FLAGS:
        xlat_value(s, map_type, v & 0xf, 1);
        if (v & ~0xfULL) {
            seq_printf(s, "|");
            xlat_flags(s, map_flags, v & ~0xfULL);
        }
        break;
    case A_MREMAP_FLAGS:
        xlat_flags(s, mremap_flags, v);
        break;
    case A_MREMAP_ADDR:
        if (!(c->a[i - 1] & 6)) /* MREMAP_FIXED, MREMAP_DONTUNMAP */
            return false;
        print_ptr(s, v);
        break;
    case A_MADVISE:
        xlat_value(s, madvise_advice, v, 0);
        break;
    case A_MSYNC:
        xlat_flags(s, msync_flags, v);
        break;
    case A_MLOCKALL:
        xlat_flags(s, mlockall_flags, v);
        break;
    case A_MLOCK2:
        xlat_flags(s, mlock2_flags, v);
        break;
    case A_AT_FLAGS:
        xlat_flags(s, at_flags, v);
        break;
    case A_ACCESS_MODE:
        if (v)
            xlat_flags(s, access_modes, v);
        else
            seq_printf(s, "F_OK");
        break;
    case A_WHENCE:
        xlat_value(s, seek_whence, v, 0);
        break;
    case A_SIG:
        print_signal(s, v);
        break;
    case A_SIGSET_IN:
        print_sigset(c, s, v);
        break;
    case A_SIGSET_OUT:
        if (v && !succeeded(c))
            print_ptr(s, v);
        else
            print_sigset(c, s, v);
        break;
    case A_SIGHOW:
        xlat_value(s, sigprocmask_how, v, 0);
        break;
    case A_SIGACTION_IN:
        print_sigaction(c, s, v);
        break;
    case A_SIGACTION_OUT:
        if (v && !succeeded(c))
            print_ptr(s, v);
        else
            print_sigaction(c, s, v);
        break;
    case A_STAT_OUT:
        print_stat(c, s, v);
        break;
    case A_STATX_OUT:
        print_statx(c, s, v);
        break;
    case A_IOV_IN:
        print_iovecs(c, s, v, c->a[i + 1], ~0ULL);
        break;
    case A_IOV_OUT:
        if (succeeded(c))
            print_iovecs(c, s, v, c->a[i + 1], (uint64_t)c->ret);
        else
            print_ptr(s, v);
        break;
    case A_TIMESPEC_IN:
        print_timespec(c, s, v, false);
        break;
    case A_TIMESPEC_OUT:
        if (v && !succeeded(c))
            print_ptr(s, v);
        else
            print_timespec(c, s, v, false);
        break;
    case A_TIMEVAL_OUT:
        if (v && !succeeded(c))
            print_ptr(s, v);
        else
            print_timespec(c, s, v, true);
        break;
    case A_CLOCKID:
        xlat_value(s, clock_ids, v, 0);
        break;
    case A_TIMER_FLAGS:
        xlat_flags(s, timer_flags, v);
        break;
    case A_PIPEFDS_OUT: {
        int fds[2];
        if (succeeded(c) && peek(c, v, fds, sizeof(fds)))
            seq_printf(s, "[%d, %d]", fds[0], fds[1]);
        else
            print_ptr(s, v);
        break;
    }
    case A_PIPE_FLAGS:
        xlat_flags(s, pipe_flags, v);
        break;
    case A_WAIT_OPTIONS:
        xlat_flags(s, wait_options, v);
        break;
    case A_WSTATUS_OUT:
        print_wstatus(c, s, v);
        break;
    case A_ARCH_PRCTL:
        xlat_value(s, arch_prctl_codes, v, 1);
        break;
    case A_PRCTL_OPTION:
        xlat_value(s, prctl_options, v, 1);
        break;
    case A_FUTEX_OP:
        print_futex_op(s, v);
        break;
    case A_RLIMIT_RES:
        xlat_value(s, rlimit_resources, v, 0);
        break;
    case A_RLIMIT_IN:
        print_rlimit(c, s, v, false);
        break;
    case A_RLIMIT_OUT:
        print_rlimit(c, s, v, true);
        break;
    case A_GRND_FLAGS:
        xlat_flags(s, getrandom_flags, v);
        break;
    case A_ARGV:
        print_argv(c, s, v);
        break;
    case A_ENVP:
        print_envp(c, s, v);
        break;
    case A_UNAME_OUT:
        print_uname(c, s, v);
        break;
    case A_EPOLL_OP:
        xlat_value(s, epoll_ctl_ops, v, 0);
        break;
    case A_EFD_FLAGS:
        xlat_flags(s, eventfd_flags, v);
        break;
    case A_SFD_FLAGS:
        xlat_flags(s, signalfd_flags, v);
        break;
    case A_RENAME_FLAGS:
        xlat_flags(s, rename_flags, v);
        break;
    case A_CLOSE_RANGE_FLAGS:
        xlat_flags(s, close_range_flags, v);
        break;
    case A_ITIMER_WHICH:
        xlat_value(s, itimer_which, v, 0);
        break;
    case A_FADVISE:
        xlat_value(s, fadvise_advice, v, 0);
        break;
    case A_MEMBARRIER:
        xlat_value(s, membarrier_cmds, v, 0);
        break;
    case A_STATX_MASK:
        xlat_flags(s, statx_masks, v);
        break;
    case A_RUSAGE_WHO:
        xlat_value(s, rusage_who, (uint32_t)v, 0);
        break;
    case A_POLLFDS:
        print_pollfds(c, s, v, c->a[i + 1]);
        break;
    case A_FCNTL_CMD:
        xlat_value(s, fcntl_cmds, v, 0);
        break;
    case A_IOCTL_REQ:
        xlat_value(s, ioctl_requests, v, 1);
        break;
    case A_CLONE:
        break; /* print_clone does the whole list */
    }
    return true;
}

/* fcntl's third argument, as its command takes it; false for commands that take none. */
static bool print_fcntl_arg(struct seq *s, uint64_t cmd, uint64_t v)
{
    switch (cmd) {
    case F_GETFD:
    case F_GETFL:
    case F_GETOWN:
    case F_GETSIG:
    case F_GETLEASE:
    case 1032: /* F_GETPIPE_SZ */
    case 1034: /* F_GET_SEALS */
        return false;
    case F_SETFD:
        xlat_flags(s, fd_flags, v);
        return true;
    case F_SETFL:
        print_open_flags(s, v);
        return true;
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case 36: /* F_OFD_GETLK */
    case 37:
    case 38:
        print_ptr(s, v);
        return true;
    default:
        seq_printf(s, "%d", (int)v);
        return true;
    }
}

static struct seq *next_arg(struct strace_call *out)
{
    struct seq *s = &out->arg[out->nargs++];
    seq_reset(s);
    return s;
}

/* x86-64 clone(flags, stack, parent_tid, child_tid, tls), as strace names them. */
static void print_clone(const struct ctx *c, struct strace_call *out)
{
    uint64_t flags = c->a[0];
    struct seq *s = next_arg(out);
    seq_printf(s, "child_stack=");
    print_ptr(s, c->a[1]);
    s = next_arg(out);
    seq_printf(s, "flags=");
    if (flags & ~0xffULL)
        xlat_flags(s, clone_flags, flags & ~0xffULL);
    if (flags & 0xff) {
        if (flags & ~0xffULL)
            seq_printf(s, "|");
        print_signal(s, flags & 0xff);
    } else if (!(flags & ~0xffULL)) {
        seq_printf(s, "0");
    }
    if (flags & 0x100000) { /* CLONE_PARENT_SETTID */
        int tid;
        s = next_arg(out);
        if (succeeded(c) && peek(c, c->a[2], &tid, sizeof(tid)))
            seq_printf(s, "parent_tid=[%d]", tid);
        else
            seq_printf(s, "parent_tid=%#llx", (unsigned long long)c->a[2]);
    }
    if (flags & (0x200000 | 0x1000000)) /* CLONE_CHILD_CLEARTID, CLONE_CHILD_SETTID */
        seq_printf(next_arg(out), "child_tidptr=%#llx", (unsigned long long)c->a[3]);
    if (flags & 0x80000) /* CLONE_SETTLS */
        seq_printf(next_arg(out), "tls=%#llx", (unsigned long long)c->a[4]);
}

void strace_decode_args(struct task *t, uint64_t nr, const uint64_t a[6], long ret, bool exited,
                        struct strace_call *out)
{
    struct ctx c = {t, nr, a, ret, exited};
    const struct strace_sig *sig = strace_sig(nr);
    out->nargs = 0;
    if (!sig) {
        for (int i = 0; i < 6; i++)
            seq_printf(next_arg(out), "%#llx", (unsigned long long)a[i]);
        return;
    }
    for (int i = 0; i < sig->nargs; i++) {
        enum strace_arg k = (enum strace_arg)sig->arg[i];
        if (k == A_CLONE) {
            print_clone(&c, out);
            continue;
        }
        struct seq *s = next_arg(out);
        if (!print_arg(&c, s, k, i)) {
            out->nargs--;
            continue;
        }
        if (k == A_FCNTL_CMD && !print_fcntl_arg(next_arg(out), a[i], a[i + 1]))
            out->nargs--;
        else if (k == A_IOCTL_REQ)
            print_ptr(next_arg(out), a[i + 1]);
    }
}

/* ---- the result ------------------------------------------------------------------------ */

const char *strace_errno_name(int e)
{
    switch (e) {
    case 512:
        return "ERESTARTSYS";
    case 513:
        return "ERESTARTNOINTR";
    case 514:
        return "ERESTARTNOHAND";
    case 516:
        return "ERESTART_RESTARTBLOCK";
    default:
        return strerrorname_np(e);
    }
}

/* A restart code is never seen by the program: strace shows it as "?". */
static const char *restart_text(int e)
{
    switch (e) {
    case 512:
        return "To be restarted if SA_RESTART is set";
    case 513:
        return "To be restarted";
    case 514:
        return "To be restarted if no handler";
    case 516:
        return "Interrupted by signal";
    default:
        return NULL;
    }
}

static void print_fcntl_result(struct seq *s, uint64_t cmd, long ret)
{
    if (cmd == F_GETFD && ret) {
        seq_printf(s, "%#lx (flags ", ret);
        xlat_flags(s, fd_flags, (uint64_t)ret);
        seq_printf(s, ")");
    } else if (cmd == F_GETFL) {
        seq_printf(s, "%#lx (flags ", ret);
        print_open_flags(s, (uint64_t)ret);
        seq_printf(s, ")");
    } else {
        seq_printf(s, "%ld", ret);
    }
}

void strace_decode_result(uint64_t nr, const uint64_t a[6], long ret, struct strace_call *out)
{
    struct seq *s = &out->result;
    seq_reset(s);
    out->err = NULL;
    if (ret < 0 && ret >= -4095) {
        int e = (int)-ret;
        out->err = strace_errno_name(e);
        const char *restart = restart_text(e);
        if (restart)
            seq_printf(s, "? %s (%s)", out->err, restart);
        else
            seq_printf(s, "-1 %s (%s)", out->err ? out->err : "E?", strerror(e));
        return;
    }
    const struct strace_sig *sig = strace_sig(nr);
    switch (sig ? sig->ret : R_DEC) {
    case R_NORETURN:
        seq_printf(s, "?"); /* exit: there is no return */
        break;
    case R_HEX:
        seq_printf(s, "%#lx", ret);
        break;
    case R_OCT:
        print_mode(s, (uint64_t)ret);
        break;
    case R_FCNTL:
        print_fcntl_result(s, a[1], ret);
        break;
    default:
        seq_printf(s, "%ld", ret);
        break;
    }
}

bool strace_decode_at_entry(uint64_t nr)
{
    return nr == SYS_execve || nr == SYS_execveat;
}
