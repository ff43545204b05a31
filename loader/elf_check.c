/*
 * Checking an executable before anything of it is mapped: the part of the
 * kernel's execve that decides whether a file may run at all. libelf parses
 * the headers; every offset and size it hands back is checked here against
 * the file's size, because libelf quietly shortens a table that does not fit
 * instead of failing. Any input, however malformed, ends in one line of err.
 */
#include "loader/elf.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mm/mm_types.h"

_Static_assert(ELF_MAX_PHNUM == PAGE_SIZE / sizeof(Elf64_Phdr), "one page of program headers");

/* How much of a bad interpreter path is worth quoting in the message. */
#define INTERP_QUOTE_MAX 200

struct elf_check_ctx {
    int fd;
    uint64_t size; /* bytes in the file: the bound for every offset */
    Elf *elf;
    GElf_Ehdr ehdr;
    struct elf_image *img;
    char *err;
    size_t errlen;
};

int loader_fail(char *err, size_t errlen, int errnum, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    errno = errnum;
    return -1;
}

/* pread until n bytes or end of file: the count read, or -1 with errno. */
static ssize_t pread_full(int fd, void *buf, size_t n, uint64_t off)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, (char *)buf + done, n - done, (off_t)(off + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        done += (size_t)r;
    }
    return (ssize_t)done;
}

/* Only regular files can be executed; execve says EACCES for the rest. */
static int check_file_type(struct elf_check_ctx *c)
{
    struct stat st;
    if (fstat(c->fd, &st) < 0)
        return loader_fail(c->err, c->errlen, errno, "cannot stat: %s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return loader_fail(c->err, c->errlen, EACCES, "is a directory");
    if (!S_ISREG(st.st_mode))
        return loader_fail(c->err, c->errlen, EACCES, "not a regular file");
    c->size = (uint64_t)st.st_size;
    return 0;
}

/* e_ident, read by hand so that each way of not being ours gets its own words. */
static int check_ident(struct elf_check_ctx *c)
{
    unsigned char id[EI_NIDENT];
    ssize_t n = pread_full(c->fd, id, sizeof(id), 0);
    if (n < 0)
        return loader_fail(c->err, c->errlen, EIO, "cannot read: %s", strerror(errno));
    if (n >= 2 && id[0] == '#' && id[1] == '!')
        return loader_fail(c->err, c->errlen, ENOEXEC,
                           "not an ELF file: a script (#!), and scripts are not supported");
    if (n == 0)
        return loader_fail(c->err, c->errlen, ENOEXEC, "not an ELF file: the file is empty");
    if (n < SELFMAG || memcmp(id, ELFMAG, SELFMAG) != 0)
        return loader_fail(c->err, c->errlen, ENOEXEC, "not an ELF file");
    if (c->size < sizeof(Elf64_Ehdr))
        return loader_fail(c->err, c->errlen, ENOEXEC,
                           "truncated: the ELF header needs %zu bytes, the file has %llu",
                           sizeof(Elf64_Ehdr), (unsigned long long)c->size);
    if (id[EI_CLASS] != ELFCLASS64)
        return loader_fail(c->err, c->errlen, ENOEXEC, "not a 64-bit ELF file (%s)",
                           id[EI_CLASS] == ELFCLASS32 ? "ELFCLASS32" : "unknown class");
    if (id[EI_DATA] != ELFDATA2LSB)
        return loader_fail(c->err, c->errlen, ENOEXEC, "not a little-endian ELF file (%s)",
                           id[EI_DATA] == ELFDATA2MSB ? "big-endian" : "unknown byte order");
    return 0;
}

static int open_elf(struct elf_check_ctx *c)
{
    if (elf_version(EV_CURRENT) == EV_NONE)
        return loader_fail(c->err, c->errlen, ENOEXEC, "libelf is too old: %s", elf_errmsg(-1));
    c->elf = elf_begin(c->fd, ELF_C_READ, NULL);
    if (!c->elf)
        return loader_fail(c->err, c->errlen, ENOEXEC, "invalid ELF file: %s", elf_errmsg(-1));
    if (elf_kind(c->elf) != ELF_K_ELF)
        return loader_fail(c->err, c->errlen, ENOEXEC, "not an ELF file");
    if (!gelf_getehdr(c->elf, &c->ehdr))
        return loader_fail(c->err, c->errlen, ENOEXEC, "invalid ELF header: %s", elf_errmsg(-1));
    return 0;
}

static const char *machine_name(unsigned int machine)
{
    switch (machine) {
    case EM_386:
        return "i386";
    case EM_ARM:
        return "ARM";
    case EM_AARCH64:
        return "AArch64";
    case EM_RISCV:
        return "RISC-V";
    case EM_PPC64:
        return "PowerPC64";
    case EM_S390:
        return "s390";
    case EM_MIPS:
        return "MIPS";
    default:
        return "another architecture";
    }
}

static const char *type_name(unsigned int type)
{
    switch (type) {
    case ET_NONE:
        return "ET_NONE";
    case ET_REL:
        return "ET_REL, a relocatable object";
    case ET_CORE:
        return "ET_CORE, a core dump";
    default:
        return "unknown e_type";
    }
}

static int check_ehdr(struct elf_check_ctx *c)
{
    const GElf_Ehdr *eh = &c->ehdr;
    if (eh->e_machine != EM_X86_64)
        return loader_fail(c->err, c->errlen, ENOEXEC,
                           "not an x86-64 executable (e_machine %u: %s)", eh->e_machine,
                           machine_name(eh->e_machine));
    if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
        return loader_fail(c->err, c->errlen, ENOEXEC,
                           "not an executable (e_type %u: %s); need ET_EXEC or ET_DYN", eh->e_type,
                           type_name(eh->e_type));
    if (eh->e_phnum == 0)
        return loader_fail(c->err, c->errlen, ENOEXEC,
                           "no PT_LOAD segment: the file has no program headers");
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        return loader_fail(c->err, c->errlen, ENOEXEC,
                           "bad program header size e_phentsize %u (expected %zu)", eh->e_phentsize,
                           sizeof(Elf64_Phdr));
    if (eh->e_phnum > ELF_MAX_PHNUM)
        return loader_fail(c->err, c->errlen, ENOEXEC, "too many program headers (%u, at most %d)",
                           eh->e_phnum, ELF_MAX_PHNUM);
    uint64_t table = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
    if (eh->e_phoff > c->size || c->size - eh->e_phoff < table)
        return loader_fail(c->err, c->errlen, ENOEXEC,
                           "truncated: the program headers at offset %#llx (+%llu bytes) lie "
                           "past the end of the file (%llu bytes)",
                           (unsigned long long)eh->e_phoff, (unsigned long long)table,
                           (unsigned long long)c->size);
    return 0;
}

static int read_phdrs(struct elf_check_ctx *c)
{
    struct elf_image *img = c->img;
    img->phnum = c->ehdr.e_phnum;
    for (unsigned int i = 0; i < img->phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(c->elf, (int)i, &ph))
            return loader_fail(c->err, c->errlen, ENOEXEC, "cannot read program header %u: %s", i,
                               elf_errmsg(-1));
        img->phdrs[i] = (struct elf_phdr_info){
            .p_type = ph.p_type,
            .p_flags = ph.p_flags,
            .p_offset = ph.p_offset,
            .p_vaddr = ph.p_vaddr,
            .p_filesz = ph.p_filesz,
            .p_memsz = ph.p_memsz,
            .p_align = ph.p_align,
        };
    }
    return 0;
}

/*
 * Copy an untrusted path of srclen bytes into one printable line: odd bytes
 * become '?', and "..." marks a path that went on beyond what was read.
 */
static void quote_path(char *dst, const char *src, size_t srclen, bool cut)
{
    size_t n = 0;
    while (n < srclen && src[n]) {
        dst[n] = (src[n] >= 0x20 && src[n] < 0x7f) ? src[n] : '?';
        n++;
    }
    if (cut && n == srclen) {
        memcpy(dst + n, "...", 3);
        n += 3;
    }
    dst[n] = '\0';
}

/*
 * A PT_INTERP names the program's interpreter (ld.so). As binfmt_elf reads
 * it: only the first counts, 2 to PATH_MAX bytes ending in a NUL, else
 * ENOEXEC; the path is the string up to its first NUL.
 */
static int read_interp(struct elf_check_ctx *c, const struct elf_phdr_info *ph)
{
    size_t len = ph->p_filesz;
    if (len < 2 || len > INTERP_MAX || ph->p_offset > c->size || c->size - ph->p_offset < len)
        return loader_fail(c->err, c->errlen, ENOEXEC,
                           "malformed PT_INTERP: %llu bytes at offset %#llx",
                           (unsigned long long)ph->p_filesz, (unsigned long long)ph->p_offset);
    char *path = c->img->interp;
    ssize_t n = pread_full(c->fd, path, len, ph->p_offset);
    if (n < 0)
        return loader_fail(c->err, c->errlen, EIO, "cannot read: %s", strerror(errno));
    if ((size_t)n != len || path[len - 1] != '\0') {
        char quoted[INTERP_QUOTE_MAX + 4];
        bool cut = (size_t)n > INTERP_QUOTE_MAX;
        quote_path(quoted, path, cut ? INTERP_QUOTE_MAX : (size_t)n, cut);
        path[0] = '\0';
        return loader_fail(c->err, c->errlen, ENOEXEC,
                           "malformed PT_INTERP: the interpreter path %s does not end in a NUL",
                           quoted);
    }
    c->img->has_interp = true;
    return 0;
}

static int check_interp(struct elf_check_ctx *c)
{
    for (unsigned int i = 0; i < c->img->phnum; i++)
        if (c->img->phdrs[i].p_type == PT_INTERP)
            return read_interp(c, &c->img->phdrs[i]);
    return 0;
}

/*
 * Whether the file lost its end: linkers put the section header table last,
 * so a table that runs past the end of the file says the file was cut short
 * rather than that a segment's offset is wrong.
 */
static bool looks_truncated(const struct elf_check_ctx *c)
{
    uint64_t off = c->ehdr.e_shoff;
    uint64_t need = (uint64_t)(c->ehdr.e_shnum ? c->ehdr.e_shnum : 1) * c->ehdr.e_shentsize;
    return off && (off > c->size || c->size - off < need);
}

/* One PT_LOAD on its own: sizes, where its bytes are in the file, alignment. */
static int check_load_file_range(struct elf_check_ctx *c, unsigned int i)
{
    const struct elf_phdr_info *ph = &c->img->phdrs[i];
    unsigned long long off = ph->p_offset, filesz = ph->p_filesz;
    if (ph->p_filesz > ph->p_memsz)
        return loader_fail(c->err, c->errlen, ENOEXEC,
                           "PT_LOAD segment %u has p_filesz %#llx > p_memsz %#llx", i, filesz,
                           (unsigned long long)ph->p_memsz);
    if (filesz && off >= c->size && filesz <= UINT64_MAX - off && looks_truncated(c))
        return loader_fail(c->err, c->errlen, ENOEXEC,
                           "truncated: PT_LOAD segment %u starts at offset %#llx, past the end "
                           "of the file (%llu bytes)",
                           i, off, (unsigned long long)c->size);
    if (filesz && (off >= c->size || filesz > UINT64_MAX - off))
        return loader_fail(c->err, c->errlen, ENOEXEC,
                           "PT_LOAD segment %u has its file range at offset %#llx, outside "
                           "the file (%llu bytes)",
                           i, off, (unsigned long long)c->size);
    if (filesz && off + filesz > c->size)
        return loader_fail(c->err, c->errlen, ENOEXEC,
                           "truncated: PT_LOAD segment %u ends at offset %#llx, past the end "
                           "of the file (%llu bytes)",
                           i, off + filesz, (unsigned long long)c->size);
    if (ph->p_vaddr % PAGE_SIZE != ph->p_offset % PAGE_SIZE)
        return loader_fail(c->err, c->errlen, ENOEXEC,
                           "PT_LOAD segment %u is misaligned: p_vaddr %#llx and p_offset %#llx "
                           "differ modulo the page size",
                           i, (unsigned long long)ph->p_vaddr, off);
    return 0;
}

/* Segments must come in ascending p_vaddr order and not overlap (the ELF spec). */
static int check_load_order(struct elf_check_ctx *c, unsigned int prev, unsigned int i)
{
    const struct elf_phdr_info *a = &c->img->phdrs[prev], *b = &c->img->phdrs[i];
    if (b->p_vaddr < a->p_vaddr)
        return loader_fail(c->err, c->errlen, ENOEXEC,
                           "PT_LOAD segments are not in ascending order (segment %u at %#llx "
                           "follows segment %u at %#llx)",
                           i, (unsigned long long)b->p_vaddr, prev, (unsigned long long)a->p_vaddr);
    if (a->p_memsz > UINT64_MAX - a->p_vaddr || b->p_vaddr < a->p_vaddr + a->p_memsz)
        return loader_fail(c->err, c->errlen, ENOEXEC,
                           "PT_LOAD segments %u and %u overlap in memory", prev, i);
    return 0;
}

static int check_loads(struct elf_check_ctx *c)
{
    struct elf_image *img = c->img;
    unsigned int prev = 0;
    img->nr_load = 0;
    for (unsigned int i = 0; i < img->phnum; i++) {
        if (img->phdrs[i].p_type != PT_LOAD)
            continue;
        if (check_load_file_range(c, i) < 0)
            return -1;
        if (img->nr_load && check_load_order(c, prev, i) < 0)
            return -1;
        prev = i;
        img->nr_load++;
    }
    if (!img->nr_load)
        return loader_fail(c->err, c->errlen, ENOEXEC, "no PT_LOAD segment: nothing to load");
    return 0;
}

/*
 * An ET_DYN is placed at exec time (loader/exec.c): with an interpreter at
 * ELF_ET_DYN_BASE, without one (a static PIE, or ld.so run directly) where
 * mmap would put it. Until then its bias is 0. An ET_EXEC has no bias.
 */
static void place_image(struct elf_image *img)
{
    img->static_pie = img->e_type == ET_DYN && !img->has_interp;
    img->load_bias = 0;
}

/* After the bias, every segment and the entry point must lie in user space. */
static int check_addresses(struct elf_check_ctx *c)
{
    const struct elf_image *img = c->img;
    for (unsigned int i = 0; i < img->phnum; i++) {
        const struct elf_phdr_info *ph = &img->phdrs[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uint64_t start = ph->p_vaddr + img->load_bias; /* wraps like the kernel's sum */
        if (start >= TASK_SIZE || ph->p_memsz > TASK_SIZE - start)
            return loader_fail(c->err, c->errlen, ENOEXEC,
                               "PT_LOAD segment %u at %#llx (+%#llx bytes) lies outside the "
                               "user address space",
                               i, (unsigned long long)start, (unsigned long long)ph->p_memsz);
    }
    if (img->entry + img->load_bias >= TASK_SIZE)
        return loader_fail(c->err, c->errlen, ENOEXEC,
                           "entry point %#llx lies outside the user address space",
                           (unsigned long long)(img->entry + img->load_bias));
    return 0;
}

/*
 * AT_PHDR as Linux computes it: the address of the PT_LOAD that holds e_phoff
 * in its file bytes; a PT_PHDR's p_vaddr only when no PT_LOAD covers the table.
 */
static void find_phdr_vaddr(struct elf_image *img, uint64_t phoff)
{
    img->phdr_vaddr = 0;
    for (unsigned int i = 0; i < img->phnum; i++) {
        const struct elf_phdr_info *ph = &img->phdrs[i];
        if (ph->p_type == PT_LOAD && ph->p_offset <= phoff && phoff - ph->p_offset < ph->p_filesz) {
            img->phdr_vaddr = phoff - ph->p_offset + ph->p_vaddr;
            return;
        }
    }
    for (unsigned int i = 0; i < img->phnum; i++)
        if (img->phdrs[i].p_type == PT_PHDR)
            img->phdr_vaddr = img->phdrs[i].p_vaddr;
}

static void find_gnu_stack(struct elf_image *img)
{
    img->has_gnu_stack = false;
    img->gnu_stack_flags = 0;
    for (unsigned int i = 0; i < img->phnum; i++) {
        if (img->phdrs[i].p_type == PT_GNU_STACK) {
            img->has_gnu_stack = true;
            img->gnu_stack_flags = img->phdrs[i].p_flags;
        }
    }
}

static int check_elf(struct elf_check_ctx *c)
{
    if (check_file_type(c) < 0 || check_ident(c) < 0 || open_elf(c) < 0 || check_ehdr(c) < 0)
        return -1;
    c->img->e_type = c->ehdr.e_type;
    c->img->entry = c->ehdr.e_entry;
    if (read_phdrs(c) < 0 || check_interp(c) < 0 || check_loads(c) < 0)
        return -1;
    place_image(c->img);
    if (check_addresses(c) < 0)
        return -1;
    find_phdr_vaddr(c->img, c->ehdr.e_phoff);
    find_gnu_stack(c->img);
    return 0;
}

int elf_check_fd(int fd, struct elf_image *img, char *err, size_t errlen)
{
    struct elf_check_ctx c = {.fd = fd, .img = img, .err = err, .errlen = errlen};
    memset(img, 0, sizeof(*img));
    int ret = check_elf(&c);
    if (c.elf) {
        int saved = errno;
        elf_end(c.elf);
        errno = saved;
    }
    return ret;
}

int elf_check(const char *path, struct elf_image *img, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return loader_fail(err, errlen, errno, "cannot open: %s", strerror(errno));
    int ret = elf_check_fd(fd, img, err, errlen);
    int saved = errno;
    close(fd);
    errno = saved;
    return ret;
}
