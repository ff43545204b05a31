/*
 * elf_check: small ELF files are built here, in code, then broken one way at
 * a time; each must be refused with errno and one line naming the reason,
 * and the good ones must be described field by field. A seeded fuzz pass
 * breaks them at random: every outcome must be a clean refusal or a
 * description that keeps the loader's invariants (run it under ASan too).
 */
#include "tests/unit/support/support.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/elf.h"
#include "mm/array_size.h"
#include "mm/mm_types.h"

#define FAKE_MAX 0x3000
#define TEXT_VADDR 0x400000UL
#define DATA_VADDR 0x401000UL
#define DATA_OFFSET 0x1000UL
#define INTERP "/lib64/ld-linux-x86-64.so.2"
#define INTERP_OFFSET 0x180UL

/* Program header slots of the fake files. */
enum { PH_PHDR, PH_TEXT, PH_DATA, PH_STACK, PH_SPARE, NR_PH };

struct fake_elf {
    _Alignas(8) unsigned char bytes[FAKE_MAX];
    size_t size;
};

static char tmpdir[64];
static char path[128];

static Elf64_Ehdr *ehdr(struct fake_elf *f)
{
    return (Elf64_Ehdr *)f->bytes;
}

static Elf64_Phdr *phdr(struct fake_elf *f, int i)
{
    return (Elf64_Phdr *)(f->bytes + sizeof(Elf64_Ehdr)) + i;
}

static void set_phdr(struct fake_elf *f, int i, uint32_t type, uint32_t flags, uint64_t off,
                     uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t align)
{
    *phdr(f, i) = (Elf64_Phdr){.p_type = type,
                               .p_flags = flags,
                               .p_offset = off,
                               .p_vaddr = vaddr,
                               .p_paddr = vaddr,
                               .p_filesz = filesz,
                               .p_memsz = memsz,
                               .p_align = align};
}

/*
 * A static executable as ld lays one out, shrunk: the headers and text in
 * the first page (R+X), data and bss from the second (R+W), a PT_PHDR, a
 * non-executable PT_GNU_STACK. base is 0x400000 for ET_EXEC, 0 for a PIE.
 */
static void make_elf(struct fake_elf *f, uint16_t type, uint64_t base)
{
    memset(f, 0, sizeof(*f));
    Elf64_Ehdr *eh = ehdr(f);
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = type;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = base + 0x100;
    eh->e_phoff = sizeof(Elf64_Ehdr);
    eh->e_ehsize = sizeof(Elf64_Ehdr);
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = PH_SPARE;
    eh->e_shentsize = sizeof(Elf64_Shdr);
    set_phdr(f, PH_PHDR, PT_PHDR, PF_R, sizeof(Elf64_Ehdr), base + sizeof(Elf64_Ehdr),
             PH_SPARE * sizeof(Elf64_Phdr), PH_SPARE * sizeof(Elf64_Phdr), 8);
    set_phdr(f, PH_TEXT, PT_LOAD, PF_R | PF_X, 0, base, 0x200, 0x200, PAGE_SIZE);
    set_phdr(f, PH_DATA, PT_LOAD, PF_R | PF_W, DATA_OFFSET, base + DATA_OFFSET, 0x100, 0x2000,
             PAGE_SIZE);
    set_phdr(f, PH_STACK, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);
    f->bytes[0x100] = 0xf4; /* hlt */
    memset(f->bytes + DATA_OFFSET, 0x5a, 0x100);
    f->size = DATA_OFFSET + 0x100;
}

static void make_exec(struct fake_elf *f)
{
    make_elf(f, ET_EXEC, TEXT_VADDR);
}

static void make_static_pie(struct fake_elf *f)
{
    make_elf(f, ET_DYN, 0);
}

/* A PT_INTERP in the spare slot, its path inside the first page. */
static void add_interp(struct fake_elf *f)
{
    uint64_t base = phdr(f, PH_TEXT)->p_vaddr;
    memcpy(f->bytes + INTERP_OFFSET, INTERP, sizeof(INTERP));
    set_phdr(f, PH_SPARE, PT_INTERP, PF_R, INTERP_OFFSET, base + INTERP_OFFSET, sizeof(INTERP),
             sizeof(INTERP), 1);
    ehdr(f)->e_phnum = NR_PH;
}

static void write_file(const char *name, const void *buf, size_t len)
{
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
}

static int check_fake(const struct fake_elf *f, struct elf_image *img, char *err, size_t errlen)
{
    write_file("fake.elf", f->bytes, f->size);
    errno = 0;
    int r = elf_check(path, img, err, errlen);
    int saved = errno;
    unlink(path);
    errno = saved;
    return r;
}

/* elf_check refuses path with errnum and a single line containing needle. */
static void expect_refused_path(const char *p, int errnum, const char *needle)
{
    struct elf_image img;
    char err[512] = "";
    errno = 0;
    int r = elf_check(p, &img, err, sizeof(err));
    int saved = errno;
    if (r != -1 || !strstr(err, needle))
        fail_msg("%s: expected a refusal containing \"%s\", got %d \"%s\"", p, needle, r, err);
    assert_int_equal(saved, errnum);
    assert_null(strchr(err, '\n'));
}

static void expect_refused(const struct fake_elf *f, int errnum, const char *needle)
{
    write_file("fake.elf", f->bytes, f->size);
    expect_refused_path(path, errnum, needle);
    unlink(path);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_elf_check.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

/* Remove whatever a failed test left behind, then the directory. */
static int teardown(void **state)
{
    (void)state;
    static const char *const names[] = {"fake.elf", "text", "empty", "script", "magic"};
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
        unlink(path);
    }
    return rmdir(tmpdir);
}

static void test_good_exec(void **state)
{
    (void)state;
    struct fake_elf f;
    struct elf_image img;
    char err[256] = "";
    make_exec(&f);
    if (check_fake(&f, &img, err, sizeof(err)) != 0)
        fail_msg("refused: %s", err);
    assert_int_equal(img.e_type, ET_EXEC);
    assert_int_equal(img.entry, TEXT_VADDR + 0x100);
    assert_int_equal(img.phnum, PH_SPARE);
    assert_int_equal(img.nr_load, 2);
    assert_false(img.static_pie);
    assert_int_equal(img.load_bias, 0);
    const struct elf_phdr_info *d = &img.phdrs[PH_DATA];
    assert_int_equal(d->p_type, PT_LOAD);
    assert_int_equal(d->p_flags, PF_R | PF_W);
    assert_int_equal(d->p_offset, DATA_OFFSET);
    assert_int_equal(d->p_vaddr, DATA_VADDR);
    assert_int_equal(d->p_filesz, 0x100);
    assert_int_equal(d->p_memsz, 0x2000);
    assert_int_equal(d->p_align, PAGE_SIZE);
    assert_int_equal(img.phdrs[PH_TEXT].p_flags, PF_R | PF_X);
    assert_true(img.has_gnu_stack);
    assert_int_equal(img.gnu_stack_flags, PF_R | PF_W);
    assert_int_equal(img.phdr_vaddr, TEXT_VADDR + sizeof(Elf64_Ehdr));
}

static void test_good_static_pie(void **state)
{
    (void)state;
    struct fake_elf f;
    struct elf_image img;
    char err[256] = "";
    make_static_pie(&f);
    if (check_fake(&f, &img, err, sizeof(err)) != 0)
        fail_msg("refused: %s", err);
    assert_int_equal(img.e_type, ET_DYN);
    assert_true(img.static_pie);
    assert_int_equal(img.load_bias, 0); /* placed at exec time, where mmap puts it */
    assert_int_equal(img.entry, 0x100);
    assert_int_equal(img.phdrs[PH_DATA].p_vaddr, DATA_OFFSET);
    assert_int_equal(img.phdr_vaddr, sizeof(Elf64_Ehdr));
}

/* A static PIE asking for 2 MiB alignment is accepted; exec aligns its base. */
static void test_static_pie_big_align(void **state)
{
    (void)state;
    struct fake_elf f;
    struct elf_image img;
    char err[256] = "";
    make_static_pie(&f);
    phdr(&f, PH_TEXT)->p_align = 0x200000;
    if (check_fake(&f, &img, err, sizeof(err)) != 0)
        fail_msg("refused: %s", err);
    assert_true(img.static_pie);
    assert_int_equal(img.phdrs[PH_TEXT].p_align, 0x200000);
}

/* No PT_GNU_STACK: no executable stack either; with PF_X: asked for. */
static void test_gnu_stack(void **state)
{
    (void)state;
    struct fake_elf f;
    struct elf_image img;
    char err[256] = "";
    make_exec(&f);
    phdr(&f, PH_STACK)->p_type = PT_NOTE;
    assert_int_equal(check_fake(&f, &img, err, sizeof(err)), 0);
    assert_false(img.has_gnu_stack);
    make_exec(&f);
    phdr(&f, PH_STACK)->p_flags = PF_R | PF_W | PF_X;
    assert_int_equal(check_fake(&f, &img, err, sizeof(err)), 0);
    assert_true(img.has_gnu_stack);
    assert_int_equal(img.gnu_stack_flags & PF_X, PF_X);
}

/* AT_PHDR comes from the PT_LOAD holding the table; PT_PHDR only when none does. */
static void test_phdr_vaddr(void **state)
{
    (void)state;
    struct fake_elf f;
    struct elf_image img;
    char err[256] = "";
    make_exec(&f);
    phdr(&f, PH_PHDR)->p_vaddr = TEXT_VADDR + 0xc0;
    assert_int_equal(check_fake(&f, &img, err, sizeof(err)), 0);
    assert_int_equal(img.phdr_vaddr, TEXT_VADDR + sizeof(Elf64_Ehdr));
    phdr(&f, PH_TEXT)->p_filesz = sizeof(Elf64_Ehdr); /* the table is no longer loaded */
    assert_int_equal(check_fake(&f, &img, err, sizeof(err)), 0);
    assert_int_equal(img.phdr_vaddr, TEXT_VADDR + 0xc0);
    phdr(&f, PH_PHDR)->p_type = PT_NOTE;
    assert_int_equal(check_fake(&f, &img, err, sizeof(err)), 0);
    assert_int_equal(img.phdr_vaddr, 0);
}

static void test_not_elf(void **state)
{
    (void)state;
    static const char text[] = "hello, this is text\n";
    static const char script[] = "#!/bin/sh\necho hi\n";
    write_file("text", text, sizeof(text) - 1);
    expect_refused_path(path, ENOEXEC, "not an ELF file");
    unlink(path);
    write_file("empty", "", 0);
    expect_refused_path(path, ENOEXEC, "not an ELF file: the file is empty");
    unlink(path);
    write_file("script", script, sizeof(script) - 1);
    expect_refused_path(path, ENOEXEC, "script (#!)");
    unlink(path);
    write_file("magic", ELFMAG, 3); /* three bytes of the four */
    expect_refused_path(path, ENOEXEC, "not an ELF file");
    unlink(path);
}

static void test_not_a_file(void **state)
{
    (void)state;
    expect_refused_path(tmpdir, EACCES, "is a directory");
    expect_refused_path("/dev/null", EACCES, "not a regular file");
    snprintf(path, sizeof(path), "%s/does-not-exist", tmpdir);
    expect_refused_path(path, ENOENT, "cannot open: No such file or directory");
}

static void test_truncated_header(void **state)
{
    (void)state;
    struct fake_elf f;
    make_exec(&f);
    f.size = 40;
    expect_refused(&f, ENOEXEC, "truncated: the ELF header needs 64 bytes, the file has 40");
}

static void test_wrong_class_or_order(void **state)
{
    (void)state;
    struct fake_elf f;
    make_exec(&f);
    f.bytes[EI_CLASS] = ELFCLASS32;
    expect_refused(&f, ENOEXEC, "not a 64-bit ELF file (ELFCLASS32)");
    make_exec(&f);
    f.bytes[EI_DATA] = ELFDATA2MSB;
    expect_refused(&f, ENOEXEC, "not a little-endian ELF file");
}

static void test_wrong_machine(void **state)
{
    (void)state;
    struct fake_elf f;
    make_exec(&f);
    ehdr(&f)->e_machine = EM_AARCH64;
    expect_refused(&f, ENOEXEC, "not an x86-64 executable (e_machine 183: AArch64)");
    ehdr(&f)->e_machine = EM_386;
    expect_refused(&f, ENOEXEC, "not an x86-64 executable (e_machine 3: i386)");
}

static void test_wrong_type(void **state)
{
    (void)state;
    struct fake_elf f;
    make_exec(&f);
    ehdr(&f)->e_type = ET_REL;
    expect_refused(&f, ENOEXEC, "not an executable (e_type 1: ET_REL");
    ehdr(&f)->e_type = ET_CORE;
    expect_refused(&f, ENOEXEC, "not an executable (e_type 4: ET_CORE");
}

static void test_bad_phdr_table(void **state)
{
    (void)state;
    struct fake_elf f;
    make_exec(&f);
    ehdr(&f)->e_phentsize = 32;
    expect_refused(&f, ENOEXEC, "bad program header size e_phentsize 32");
    make_exec(&f);
    ehdr(&f)->e_phnum = 100;
    expect_refused(&f, ENOEXEC, "too many program headers (100, at most 73)");
    make_exec(&f);
    ehdr(&f)->e_phoff = UINT64_MAX - 8; /* would wrap around */
    expect_refused(&f, ENOEXEC, "truncated: the program headers at offset 0xfffffffffffffff7");
}

static void test_truncated(void **state)
{
    (void)state;
    struct fake_elf f;
    make_exec(&f);
    f.size = 100; /* the header and a third of the first program header */
    expect_refused(&f, ENOEXEC,
                   "truncated: the program headers at offset 0x40 (+224 bytes) lie past the end of "
                   "the file (100 bytes)");
    make_exec(&f);
    f.size = DATA_OFFSET + 0x80; /* half of the data segment's bytes */
    expect_refused(&f, ENOEXEC, "truncated: PT_LOAD segment 2 ends at offset 0x1100");
}

/* With the section headers gone too, a segment starting past the end is a cut file. */
static void test_truncated_before_segment(void **state)
{
    (void)state;
    struct fake_elf f;
    make_exec(&f);
    ehdr(&f)->e_shoff = DATA_OFFSET + 0x100;
    ehdr(&f)->e_shnum = 3;
    f.size = DATA_OFFSET; /* cut where the data segment starts */
    expect_refused(&f, ENOEXEC,
                   "truncated: PT_LOAD segment 2 starts at offset 0x1000, past the end");
}

static void test_load_outside_file(void **state)
{
    (void)state;
    struct fake_elf f;
    make_exec(&f);
    phdr(&f, PH_DATA)->p_offset = 0x10000;
    expect_refused(&f, ENOEXEC, "PT_LOAD segment 2 has its file range at offset 0x10000, outside");
    phdr(&f, PH_DATA)->p_offset = UINT64_MAX & PAGE_MASK;
    expect_refused(&f, ENOEXEC, "outside the file");
}

static void test_overlap_and_order(void **state)
{
    (void)state;
    struct fake_elf f;
    make_exec(&f);
    phdr(&f, PH_DATA)->p_vaddr = TEXT_VADDR;
    expect_refused(&f, ENOEXEC, "PT_LOAD segments 1 and 2 overlap in memory");
    make_exec(&f);
    phdr(&f, PH_TEXT)->p_vaddr = TEXT_VADDR + 0x2000;
    expect_refused(&f, ENOEXEC, "PT_LOAD segments are not in ascending order (segment 2");
}

static void test_filesz_above_memsz(void **state)
{
    (void)state;
    struct fake_elf f;
    make_exec(&f);
    phdr(&f, PH_DATA)->p_memsz = 0x80;
    expect_refused(&f, ENOEXEC, "PT_LOAD segment 2 has p_filesz 0x100 > p_memsz 0x80");
}

static void test_misaligned(void **state)
{
    (void)state;
    struct fake_elf f;
    make_exec(&f);
    phdr(&f, PH_DATA)->p_vaddr = DATA_VADDR + 0x800;
    expect_refused(&f, ENOEXEC, "PT_LOAD segment 2 is misaligned");
}

/*
 * A PT_INTERP makes a dynamically linked program: its path is read as
 * binfmt_elf reads it (2 to PATH_MAX bytes ending in a NUL, only the first
 * PT_INTERP counting), and a PIE with one is no static PIE.
 */
static void test_dynamic(void **state)
{
    (void)state;
    struct fake_elf f;
    struct elf_image img;
    char err[256] = "";
    make_exec(&f);
    add_interp(&f);
    if (check_fake(&f, &img, err, sizeof(err)) != 0)
        fail_msg("refused: %s", err);
    assert_true(img.has_interp);
    assert_string_equal(img.interp, INTERP);
    assert_false(img.static_pie);
    make_static_pie(&f);
    add_interp(&f); /* an ordinary PIE */
    if (check_fake(&f, &img, err, sizeof(err)) != 0)
        fail_msg("refused: %s", err);
    assert_true(img.has_interp);
    assert_false(img.static_pie);
    assert_int_equal(img.e_type, ET_DYN);
    assert_string_equal(img.interp, INTERP);
    make_static_pie(&f);
    assert_int_equal(check_fake(&f, &img, err, sizeof(err)), 0);
    assert_false(img.has_interp);
    assert_true(img.static_pie);
}

static void test_bad_interp(void **state)
{
    (void)state;
    struct fake_elf f;
    make_exec(&f);
    add_interp(&f);
    phdr(&f, PH_SPARE)->p_offset = 0x100000;
    expect_refused(&f, ENOEXEC, "malformed PT_INTERP: 28 bytes at offset 0x100000");
    make_exec(&f);
    add_interp(&f);
    phdr(&f, PH_SPARE)->p_filesz = 1;
    expect_refused(&f, ENOEXEC, "malformed PT_INTERP: 1 bytes");
    make_exec(&f);
    add_interp(&f);
    phdr(&f, PH_SPARE)->p_filesz = 4097;
    expect_refused(&f, ENOEXEC, "malformed PT_INTERP: 4097 bytes");
    /* No NUL at the end: refused, the path quoted on one line, odd bytes as '?'. */
    make_exec(&f);
    add_interp(&f);
    f.bytes[INTERP_OFFSET + 3] = '\n';
    phdr(&f, PH_SPARE)->p_filesz = sizeof(INTERP) - 1;
    expect_refused(&f, ENOEXEC,
                   "the interpreter path /li?64/ld-linux-x86-64.so.2 does not end in a NUL");
    /* A NUL inside: the path ends there, as the kernel's open sees it. */
    struct elf_image img;
    char err[256] = "";
    make_exec(&f);
    add_interp(&f);
    f.bytes[INTERP_OFFSET + 6] = '\0';
    assert_int_equal(check_fake(&f, &img, err, sizeof(err)), 0);
    assert_string_equal(img.interp, "/lib64");
}

static void test_no_load(void **state)
{
    (void)state;
    struct fake_elf f;
    make_exec(&f);
    phdr(&f, PH_TEXT)->p_type = PT_NOTE;
    phdr(&f, PH_DATA)->p_type = PT_NOTE;
    expect_refused(&f, ENOEXEC, "no PT_LOAD segment");
    make_exec(&f);
    ehdr(&f)->e_phnum = 0;
    expect_refused(&f, ENOEXEC, "no PT_LOAD segment");
}

static void test_outside_user_space(void **state)
{
    (void)state;
    struct fake_elf f;
    make_exec(&f);
    phdr(&f, PH_DATA)->p_vaddr = TASK_SIZE - PAGE_SIZE;
    expect_refused(&f, ENOEXEC, "PT_LOAD segment 2 at 0x7fffffffe000 (+0x2000 bytes) lies outside");
    make_exec(&f);
    ehdr(&f)->e_entry = TASK_SIZE;
    expect_refused(&f, ENOEXEC, "entry point 0x7ffffffff000 lies outside");
}

/* xorshift64: the fuzz pass is the same on every run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t interesting(const struct fake_elf *f)
{
    const uint64_t v[] = {0,           1,          0xfff,      PAGE_SIZE, f->size,
                          f->size - 1, UINT64_MAX, 1ULL << 63, TASK_SIZE, 0x400000};
    return (rnd() & 1) ? rnd() : v[rnd() % ARRAY_SIZE(v)];
}

static void mutate(struct fake_elf *f)
{
    size_t headers = sizeof(Elf64_Ehdr) + NR_PH * sizeof(Elf64_Phdr);
    switch (rnd() % 4) {
    case 0: /* a few random bytes in the headers */
        for (unsigned int n = 1 + rnd() % 4; n; n--)
            f->bytes[rnd() % headers] = (unsigned char)rnd();
        break;
    case 1: /* a random length */
        f->size = rnd() % (f->size + 1);
        break;
    case 2: { /* one 64-bit field of a program header */
        uint64_t v = interesting(f);
        memcpy(f->bytes + sizeof(Elf64_Ehdr) + (rnd() % (NR_PH * 7)) * 8, &v, 8);
        break;
    }
    default: { /* one header count or offset */
        uint64_t v = interesting(f);
        if (rnd() & 1)
            ehdr(f)->e_phoff = v;
        else
            ehdr(f)->e_phnum = (uint16_t)v;
        break;
    }
    }
}

/* What an accepted image promises the loader, re-derived from the file. */
static void check_invariants(const struct elf_image *img, const struct fake_elf *f)
{
    uint64_t prev_end = 0;
    unsigned int loads = 0;
    assert_true(img->e_type == ET_EXEC || img->e_type == ET_DYN);
    assert_true(img->phnum >= 1 && img->phnum <= ELF_MAX_PHNUM);
    assert_true(img->static_pie == (img->e_type == ET_DYN && !img->has_interp));
    if (img->has_interp)
        assert_non_null(memchr(img->interp, 0, INTERP_MAX));
    for (unsigned int i = 0; i < img->phnum; i++) {
        const struct elf_phdr_info *ph = &img->phdrs[i];
        if (ph->p_type == PT_INTERP)
            assert_true(img->has_interp);
        if (ph->p_type != PT_LOAD)
            continue;
        assert_true(ph->p_filesz <= ph->p_memsz);
        assert_true(!ph->p_filesz ||
                    (ph->p_offset <= f->size && ph->p_filesz <= f->size - ph->p_offset));
        assert_true(ph->p_vaddr % PAGE_SIZE == ph->p_offset % PAGE_SIZE);
        assert_true(loads == 0 || ph->p_vaddr >= prev_end);
        uint64_t start = ph->p_vaddr + img->load_bias;
        assert_true(start < TASK_SIZE && ph->p_memsz <= TASK_SIZE - start);
        prev_end = ph->p_vaddr + ph->p_memsz;
        loads++;
    }
    assert_int_equal(loads, img->nr_load);
    assert_true(loads >= 1);
    assert_true(img->entry + img->load_bias < TASK_SIZE);
}

static void fuzz_from(void (*make)(struct fake_elf *), bool interp, int rounds, int *accepted)
{
    for (int i = 0; i < rounds; i++) {
        struct fake_elf f;
        struct elf_image img;
        char err[256] = "";
        make(&f);
        if (interp)
            add_interp(&f);
        for (unsigned int n = 1 + rnd() % 3; n; n--)
            mutate(&f);
        int r = check_fake(&f, &img, err, sizeof(err));
        if (r == 0) {
            check_invariants(&img, &f);
            (*accepted)++;
        } else {
            assert_int_equal(r, -1);
            assert_true(err[0] != '\0');
            assert_null(strchr(err, '\n'));
        }
    }
}

static void test_fuzz(void **state)
{
    (void)state;
    int accepted = 0;
    fuzz_from(make_exec, false, 1500, &accepted);
    fuzz_from(make_static_pie, false, 1500, &accepted);
    fuzz_from(make_exec, true, 500, &accepted);
    /* Both outcomes must have happened, or the pass proved little. */
    assert_true(accepted > 0 && accepted < 3500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_exec),
        cmocka_unit_test(test_good_static_pie),
        cmocka_unit_test(test_static_pie_big_align),
        cmocka_unit_test(test_gnu_stack),
        cmocka_unit_test(test_phdr_vaddr),
        cmocka_unit_test(test_not_elf),
        cmocka_unit_test(test_not_a_file),
        cmocka_unit_test(test_truncated_header),
        cmocka_unit_test(test_wrong_class_or_order),
        cmocka_unit_test(test_wrong_machine),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_bad_phdr_table),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_truncated_before_segment),
        cmocka_unit_test(test_load_outside_file),
        cmocka_unit_test(test_overlap_and_order),
        cmocka_unit_test(test_filesz_above_memsz),
        cmocka_unit_test(test_misaligned),
        cmocka_unit_test(test_dynamic),
        cmocka_unit_test(test_bad_interp),
        cmocka_unit_test(test_no_load),
        cmocka_unit_test(test_outside_user_space),
        cmocka_unit_test(test_fuzz),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
