/*
 * The PROCMAP_QUERY ioctl of /proc/PID/maps (Linux 6.11,
 * include/uapi/linux/fs.h): the VMA covering an address, or the next one
 * matching the permission and file-backed filters; its bounds, flags, page
 * size, file offset, device and inode, name and GNU build ID; and the
 * errors (ENOENT, EINVAL, E2BIG, EFAULT, ENAMETOOLONG, ENOTTY, ESRCH).
 * Nothing printed is an address: bounds are compared with the mappings the
 * program made, the file facts with stat and /proc/self/maps, the build ID
 * with the note the program reads from its own executable. Run natively and
 * under vmemu, the output must be the same.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL

/* include/uapi/linux/fs.h of 6.11, which the C libraries' headers may lack. */
struct pmq {
    uint64_t size, query_flags, query_addr;
    uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset, inode;
    uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
    uint64_t vma_name_addr, build_id_addr;
};
#define Q_PROCMAP _IOWR('f', 17, struct pmq)
#define Q_READ 0x01
#define Q_WRITE 0x02
#define Q_EXEC 0x04
#define Q_SHARED 0x08
#define Q_NEXT 0x10
#define Q_FILE 0x20

static int maps;
static char name[4096];
static unsigned char build_id[64];

static const char *errname(int e)
{
    switch (e) {
    case 0:
        return "ok";
    case ENOENT:
        return "ENOENT";
    case EINVAL:
        return "EINVAL";
    case E2BIG:
        return "E2BIG";
    case EFAULT:
        return "EFAULT";
    case ENAMETOOLONG:
        return "ENAMETOOLONG";
    case ENOTTY:
        return "ENOTTY";
    case ESRCH:
        return "ESRCH";
    default:
        return strerror(e);
    }
}

/* One query on fd with a name buffer: 0 or the errno. */
static int query_fd(int fd, struct pmq *q, const void *addr, uint64_t flags)
{
    memset(q, 0, sizeof(*q));
    q->size = sizeof(*q);
    q->query_flags = flags;
    q->query_addr = (uintptr_t)addr;
    q->vma_name_addr = (uintptr_t)name;
    q->vma_name_size = sizeof(name);
    return ioctl(fd, Q_PROCMAP, q) ? errno : 0;
}

static int query(struct pmq *q, const void *addr, uint64_t flags)
{
    return query_fd(maps, q, addr, flags);
}

static void flags_text(uint64_t f, char out[5])
{
    out[0] = f & Q_READ ? 'r' : '-';
    out[1] = f & Q_WRITE ? 'w' : '-';
    out[2] = f & Q_EXEC ? 'x' : '-';
    out[3] = f & Q_SHARED ? 's' : 'p';
    out[4] = 0;
}

/*
 * The /proc/self/maps line starting at start: its offset, device and inode
 * must be what the query said (1), or not (0); -1 when no line starts there.
 */
static int matches_maps_line(const struct pmq *q)
{
    static char text[1 << 16]; /* read(), not stdio: no allocation may change the map */
    int fd = open("/proc/self/maps", O_RDONLY);
    size_t len = 0;
    ssize_t n;
    while (fd >= 0 && len < sizeof(text) - 1 &&
           (n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
        len += (size_t)n;
    if (fd >= 0)
        close(fd);
    text[len] = 0;
    for (char *line = text; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        unsigned long lo, hi, off, ino;
        unsigned maj, min;
        char perms[5];
        if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu", &lo, &hi, perms, &off, &maj, &min, &ino) != 7)
            continue;
        if (lo == q->vma_start)
            return hi == q->vma_end && off == q->vma_offset && maj == q->dev_major &&
                   min == q->dev_minor && ino == q->inode;
    }
    return -1;
}

/* The answer in relative terms: bounds against [lo, hi), flags, sizes, file facts. */
static void show(const char *what, int err, const struct pmq *q, const void *lo, const void *hi)
{
    char fl[5];
    if (err) {
        printf("%s: %s\n", what, errname(err));
        return;
    }
    flags_text(q->vma_flags, fl);
    printf("%s: ok", what);
    if (lo)
        printf(" start%+ld end%+ld", ((long)q->vma_start - (long)(uintptr_t)lo) / (long)PG,
               ((long)q->vma_end - (long)(uintptr_t)hi) / (long)PG);
    printf(" %s page %lu name_size %u%s%s maps %d\n", fl, (unsigned long)q->vma_page_size,
           q->vma_name_size, q->vma_name_size ? " name " : "", q->vma_name_size ? name : "",
           matches_maps_line(q));
}

/* The GNU build ID note of our own executable, read from the file: its length, or 0. */
static size_t own_build_id(unsigned char *out)
{
    int fd = open("/proc/self/exe", O_RDONLY);
    static unsigned char buf[1 << 16];
    ssize_t n = fd < 0 ? -1 : pread(fd, buf, sizeof(buf), 0);
    if (fd >= 0)
        close(fd);
    if (n < (ssize_t)sizeof(Elf64_Ehdr))
        return 0;
    const Elf64_Ehdr *eh = (const void *)buf;
    for (int i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *ph = (const void *)(buf + eh->e_phoff + (size_t)i * sizeof(*ph));
        if (ph->p_type != PT_NOTE || ph->p_offset + ph->p_filesz > (size_t)n)
            continue;
        size_t pos = 0;
        while (pos + sizeof(Elf64_Nhdr) <= ph->p_filesz) {
            const Elf64_Nhdr *nh = (const void *)(buf + ph->p_offset + pos);
            size_t desc = pos + sizeof(*nh) + ((nh->n_namesz + 3) & ~3u);
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
                !memcmp(buf + ph->p_offset + pos + sizeof(*nh), "GNU", 4)) {
                memcpy(out, buf + ph->p_offset + desc, nh->n_descsz);
                return nh->n_descsz;
            }
            pos = desc + ((nh->n_descsz + 3) & ~3u);
        }
    }
    return 0;
}

static void text_and_build_id(void)
{
    struct pmq q;
    struct stat st;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = 0;
    stat("/proc/self/exe", &st);
    int err = query(&q, (void *)text_and_build_id, 0);
    printf("text: %s covers %d flags %c%c%c%c file %d name is exe %d\n", errname(err),
           !err && q.vma_start <= (uintptr_t)text_and_build_id &&
               (uintptr_t)text_and_build_id < q.vma_end,
           q.vma_flags & Q_READ ? 'r' : '-', q.vma_flags & Q_WRITE ? 'w' : '-',
           q.vma_flags & Q_EXEC ? 'x' : '-', q.vma_flags & Q_SHARED ? 's' : 'p',
           q.inode == st.st_ino && q.dev_major == major(st.st_dev) &&
               q.dev_minor == minor(st.st_dev),
           strcmp(name, exe) == 0);
    printf("text maps line matches %d\n", matches_maps_line(&q));

    /* The first file-backed VMA from address 0 is the executable's first. */
    err = query(&q, NULL, Q_NEXT | Q_FILE);
    printf("first file vma: %s offset %lu name is exe %d\n", errname(err),
           (unsigned long)q.vma_offset, strcmp(name, exe) == 0);

    unsigned char mine[64];
    size_t want = own_build_id(mine);
    memset(&q, 0, sizeof(q));
    q.size = sizeof(q);
    q.query_addr = (uintptr_t)text_and_build_id;
    q.build_id_addr = (uintptr_t)build_id;
    q.build_id_size = sizeof(build_id);
    err = ioctl(maps, Q_PROCMAP, &q) ? errno : 0;
    printf("build id: %s size %u, the note's %zu, same bytes %d\n", errname(err), q.build_id_size,
           want, q.build_id_size == want && memcmp(build_id, mine, want) == 0);
    if (want > 1) {
        q.build_id_size = 1;
        err = ioctl(maps, Q_PROCMAP, &q) ? errno : 0;
        printf("build id buffer of 1 byte: %s\n", errname(err));
    }
}

static void anonymous(void)
{
    struct pmq q;
    char *a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *sh = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED || sh == MAP_FAILED)
        exit(1);
    show("anon middle", query(&q, a + PG + 5, 0), &q, a, a + 4 * PG);
    show("anon rw filter", query(&q, a, Q_READ | Q_WRITE), &q, a, a + 4 * PG);
    show("anon exec filter", query(&q, a, Q_EXEC), &q, a, a + 4 * PG);
    show("anon file filter", query(&q, a, Q_FILE), &q, a, a + 4 * PG);
    show("shared anon", query(&q, sh + PG, Q_SHARED), &q, sh, sh + 2 * PG);
    printf("shared anon inode nonzero %d\n", q.inode != 0);

    /* A hole: ENOENT, unless the next VMA will do. */
    munmap(a + PG, PG);
    show("hole", query(&q, a + PG, 0), &q, NULL, NULL);
    show("hole or next", query(&q, a + PG, Q_NEXT), &q, a + 2 * PG, a + 4 * PG);
    mprotect(a + 3 * PG, PG, PROT_READ);
    show("next writable", query(&q, a + PG, Q_NEXT | Q_WRITE), &q, a + 2 * PG, a + 3 * PG);
    show("next shared", query(&q, sh, Q_NEXT | Q_READ | Q_SHARED), &q, sh, sh + 2 * PG);
    show("writable and executable", query(&q, NULL, Q_NEXT | Q_WRITE | Q_EXEC), &q, NULL, NULL);
    show("past the last vma", query(&q, (void *)0xffffffffff600000UL, Q_NEXT), &q, NULL, NULL);

    /* The stack and the heap are named. */
    int local;
    query(&q, &local, 0);
    printf("stack: name %s\n", q.vma_name_size ? name : "(none)");
    char *heap = (char *)syscall(SYS_brk, 0);
    if ((char *)syscall(SYS_brk, heap + PG) == heap + PG) {
        heap[0] = 1;
        query(&q, heap, 0);
        printf("heap: name %s\n", q.vma_name_size ? name : "(none)");
    }
    munmap(a, 4 * PG);
    munmap(sh, 2 * PG);
}

static void errors(void)
{
    struct pmq q;
    char *a = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *buf = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(a + PG, PG);
    int local, err;

    memset(&q, 0, sizeof(q));
    q.size = offsetof(struct pmq, query_addr);
    printf("size 16: %s\n", errname(ioctl(maps, Q_PROCMAP, &q) ? errno : 0));
    q.size = PG + 8;
    printf("size 4104: %s\n", errname(ioctl(maps, Q_PROCMAP, &q) ? errno : 0));

    /* A short struct: only its bytes are written back. */
    struct pmq *shortq = (struct pmq *)buf;
    memset(shortq, 0xaa, sizeof(*shortq));
    shortq->size = offsetof(struct pmq, vma_end);
    shortq->query_flags = 0;
    shortq->query_addr = (uintptr_t)&local;
    err = ioctl(maps, Q_PROCMAP, shortq) ? errno : 0;
    printf("size 32: %s start set %d rest untouched %d\n", errname(err),
           shortq->vma_start <= (uintptr_t)&local, shortq->vma_end == 0xaaaaaaaaaaaaaaaaULL);

    /* A longer struct: its tail must be zero. */
    unsigned char *big = (unsigned char *)buf;
    memset(big, 0, 256);
    ((struct pmq *)big)->size = sizeof(struct pmq) + 16;
    ((struct pmq *)big)->query_addr = (uintptr_t)&local;
    err = ioctl(maps, Q_PROCMAP, big) ? errno : 0;
    printf("size 120, zero tail: %s\n", errname(err));
    big[sizeof(struct pmq) + 3] = 1;
    err = ioctl(maps, Q_PROCMAP, big) ? errno : 0;
    printf("size 120, nonzero tail: %s\n", errname(err));

    /* The struct at the end of a mapping, its size running past it. */
    struct pmq *edge = (struct pmq *)(a + PG - sizeof(uint64_t) * 3);
    edge->size = sizeof(struct pmq);
    printf("struct past the mapping: %s\n", errname(ioctl(maps, Q_PROCMAP, edge) ? errno : 0));
    printf("struct at NULL: %s\n", errname(ioctl(maps, Q_PROCMAP, NULL) ? errno : 0));

    printf("unknown flag: %s\n", errname(query(&q, &local, 0x40)));
    memset(&q, 0, sizeof(q));
    q.size = sizeof(q);
    q.query_addr = (uintptr_t)&local;
    q.vma_name_size = 16;
    printf("name size without address: %s\n", errname(ioctl(maps, Q_PROCMAP, &q) ? errno : 0));
    q.vma_name_size = 0;
    q.vma_name_addr = (uintptr_t)name;
    printf("name address without size: %s\n", errname(ioctl(maps, Q_PROCMAP, &q) ? errno : 0));
    q.vma_name_addr = 0;
    q.build_id_addr = (uintptr_t)build_id;
    printf("build id address without size: %s\n", errname(ioctl(maps, Q_PROCMAP, &q) ? errno : 0));
    q.build_id_addr = 0;
    q.vma_name_addr = (uintptr_t)name;
    q.vma_name_size = 3; /* "[stack]" needs 8 */
    printf("name buffer of 3: %s\n", errname(ioctl(maps, Q_PROCMAP, &q) ? errno : 0));
    q.vma_name_addr = (uintptr_t)(a + PG);
    q.vma_name_size = 64;
    printf("name buffer unmapped: %s\n", errname(ioctl(maps, Q_PROCMAP, &q) ? errno : 0));
    q.vma_name_addr = (uintptr_t)(a + PG);
    q.vma_name_size = 64;
    q.query_addr = (uintptr_t)buf; /* anonymous, no name: nothing is written */
    err = ioctl(maps, Q_PROCMAP, &q) ? errno : 0;
    printf("unnamed vma, name buffer unmapped: %s size %u\n", errname(err), q.vma_name_size);
    printf("other ioctl: %s\n", errname(ioctl(maps, _IOWR('f', 18, struct pmq), &q) ? errno : 0));
    int status = open("/proc/self/status", O_RDONLY);
    printf("status file: %s\n", errname(query_fd(status, &q, &local, 0)));
    close(status);
    munmap(a, PG);
    munmap(buf, 2 * PG);
}

/* Another process's maps: answered while it lives, ESRCH once it is reaped. */
static void other_process(void)
{
    int ready[2], go[2];
    if (pipe(ready) || pipe(go))
        exit(1);
    static char mark[3 * PG] __attribute__((aligned(4096)));
    pid_t pid = fork();
    if (pid == 0) {
        char c = 0;
        char *m = mmap(mark, 3 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (m == MAP_FAILED || write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(1);
        _exit(0);
    }
    char c = 0, path[64];
    if (read(ready[0], &c, 1) != 1)
        exit(1);
    snprintf(path, sizeof(path), "/proc/%d/maps", pid);
    int fd = open(path, O_RDONLY);
    struct pmq q;
    int err = query_fd(fd, &q, mark + PG, 0);
    printf("child: %s start%+ld end%+ld flags %s\n", errname(err),
           ((long)q.vma_start - (long)(uintptr_t)mark) / (long)PG,
           ((long)q.vma_end - (long)(uintptr_t)(mark + 3 * PG)) / (long)PG,
           q.vma_flags == Q_READ ? "r---" : "other");
    if (write(go[1], &c, 1) != 1)
        exit(1);
    waitpid(pid, NULL, 0);
    printf("child reaped: %s\n", errname(query_fd(fd, &q, mark + PG, 0)));
    close(fd);
}

int main(void)
{
    maps = open("/proc/self/maps", O_RDONLY);
    if (maps < 0) {
        perror("/proc/self/maps");
        return 1;
    }
    text_and_build_id();
    anonymous();
    errors();
    other_process();
    return 0;
}
