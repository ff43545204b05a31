/*
 * execve for a checked ELF executable: map its PT_LOAD segments into a fresh
 * mm, and its interpreter's (PT_INTERP: ld.so) when it is dynamically
 * linked, then the vDSO, place brk, and build the initial stack as Linux's
 * load_elf_binary, load_elf_interp, setup_arg_pages, the vDSO's setup and
 * create_elf_tables leave them with ASLR off, so that a program finds the
 * same addresses under vmemu as natively under setarch -R.
 */
#include "loader/elf.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "mm/array_size.h"
#include "mm/fs.h"
#include "mm/mm_types.h"
#include "mm/mmap.h"
#include "mm/uaccess.h"
#include "mm/vma_tree.h"

/* setup_arg_pages leaves this much stack below the argument pages. */
#define STACK_EXPAND (128UL << 10)
/* _STK_LIM: RLIMIT_STACK when the mm does not say. */
#define STK_LIM (8UL << 20)
/* ARG_MAX: argument room every program gets whatever the stack limit. */
#define ARG_MAX_MIN (32UL * PAGE_SIZE)
/* MAX_ARG_STRLEN: the longest single argument or environment string. */
#define MAX_ARG_STRLEN (32UL * PAGE_SIZE)

/* What x86-64 Linux tells a program about the machine in its auxv. */
#define ELF_PLATFORM "x86_64"
#define ELF_HWCAP 0x078bfbfdUL /* CPUID.1:EDX of vmemu's CPU (emu/cpu.c) */
#define ELF_HWCAP2 0x2UL       /* HWCAP2_FSGSBASE: CR4.FSGSBASE is set */
#define USER_HZ 100            /* AT_CLKTCK */
#define AUXV_MAX_WORDS 48      /* room for the pairs below, AT_NULL included */
#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif
/*
 * AT_MINSIGSTKSZ: the largest signal frame, as Linux's get_sigframe_size
 * reckons it for vmemu's frames (x87/SSE state in FXSAVE form, 512 bytes):
 * the 440-byte rt_sigframe and the state, with their alignment padding
 * (15 and 63 bytes), rounded up to 16.
 */
#define SIGFRAME_MAX_SIZE ((440UL + 15 + 512 + 63 + 15) & ~15UL)

/* A NULL-terminated string vector and the bytes its strings take, NULs included. */
struct strvec {
    char *const *v;
    unsigned long count;
    unsigned long bytes;
};

/* Where everything of the initial stack goes; the stack VMA is [vm_start, STACK_TOP). */
struct stack_layout {
    unsigned long execfn;    /* the file name, just below the 8-byte end marker */
    unsigned long env_start; /* environment strings, below the file name */
    unsigned long arg_start; /* argument strings, lowest of the strings */
    unsigned long platform;  /* AT_PLATFORM string */
    unsigned long random;    /* AT_RANDOM's 16 bytes */
    unsigned long sp;        /* argc: the stack pointer the program starts with */
    unsigned long vm_start;
};

/* Everything execve copies from the caller onto the new stack. */
struct exec_strings {
    struct strvec argv, envp;
    const char *execfn;
    unsigned long execfn_bytes;
};

static unsigned long min_ul(unsigned long a, unsigned long b)
{
    return a < b ? a : b;
}

static int count_strings(char *const *v, struct strvec *s, const char *what, char *err,
                         size_t errlen)
{
    s->v = v;
    s->count = 0;
    s->bytes = 0;
    for (; v && v[s->count]; s->count++) {
        unsigned long len = strlen(v[s->count]) + 1;
        if (len > MAX_ARG_STRLEN)
            return loader_fail(err, errlen, E2BIG,
                               "argument list too long: %s string %lu has %lu bytes, at most "
                               "%lu",
                               what, s->count, len, MAX_ARG_STRLEN);
        s->bytes += len;
    }
    return 0;
}

/*
 * Gather argv, envp and the file name, and apply execve's limits: one string
 * at most MAX_ARG_STRLEN, all strings and pointers within a quarter of the
 * stack limit (at most 6 MiB, at least ARG_MAX), as bprm_stack_limits has it.
 */
static int collect_strings(const struct exec_params *p, unsigned long rlim, struct exec_strings *s,
                           char *err, size_t errlen)
{
    /* Linux gives a program started with no argv at all one empty argv[0]. */
    static char empty[] = "";
    static char *const empty_argv[] = {empty, NULL};

    if (count_strings(p->argv, &s->argv, "argument", err, errlen) < 0 ||
        count_strings(p->envp, &s->envp, "environment", err, errlen) < 0)
        return -1;
    if (s->argv.count == 0)
        count_strings(empty_argv, &s->argv, "argument", err, errlen);
    s->execfn = p->execfn ? p->execfn : p->path;
    s->execfn_bytes = strlen(s->execfn) + 1;
    if (s->execfn_bytes > MAX_ARG_STRLEN)
        return loader_fail(err, errlen, ENAMETOOLONG, "file name too long for AT_EXECFN");

    unsigned long limit = min_ul(STK_LIM / 4 * 3, rlim / 4);
    if (limit < ARG_MAX_MIN)
        limit = ARG_MAX_MIN;
    unsigned long ptrs = (s->argv.count + s->envp.count) * sizeof(uint64_t);
    unsigned long bytes = s->argv.bytes + s->envp.bytes + s->execfn_bytes;
    if (ptrs >= limit || bytes > limit - ptrs)
        return loader_fail(err, errlen, E2BIG,
                           "argument list too long: %lu bytes of strings and %lu of pointers, "
                           "the limit is %lu",
                           bytes, ptrs, limit);
    return 0;
}

/*
 * The strings, as execve copies them down from STACK_TOP less an 8-byte end
 * marker: the file name first, then the environment, then the arguments;
 * then create_elf_tables' platform string and random bytes below them.
 */
static void plan_strings(struct stack_layout *l, const struct exec_strings *s)
{
    unsigned long p = STACK_TOP - sizeof(uint64_t);
    l->execfn = p -= s->execfn_bytes;
    l->env_start = p -= s->envp.bytes;
    l->arg_start = p -= s->argv.bytes;
    p &= ~15UL; /* arch_align_stack without randomization */
    l->platform = p -= sizeof(ELF_PLATFORM);
    l->random = p -= 16;
}

/*
 * execve copies the strings into a stack that grows as they arrive, and a
 * stack may not grow past RLIMIT_STACK: too many strings for it is E2BIG.
 */
static int check_strings_fit(const struct stack_layout *l, unsigned long rlim, char *err,
                             size_t errlen)
{
    unsigned long size = STACK_TOP - (l->arg_start & PAGE_MASK);
    if (size > rlim)
        return loader_fail(err, errlen, E2BIG,
                           "argument list too long: its %lu bytes of stack pages exceed the "
                           "stack limit of %lu",
                           size, rlim);
    return 0;
}

/*
 * Below the random bytes: auxv, then envp[], argv[] and argc, placed so that
 * the final sp is 16-byte aligned (create_elf_tables' STACK_ROUND). Then the
 * VMA: setup_arg_pages extends the pages holding the strings by STACK_EXPAND,
 * or to the stack limit if that is smaller, and the tables may reach lower.
 */
static void plan_tables(struct stack_layout *l, const struct exec_strings *s,
                        unsigned long auxv_words, unsigned long rlim)
{
    unsigned long items = (s->argv.count + 1) + (s->envp.count + 1) + 1;
    unsigned long p = l->random - auxv_words * sizeof(uint64_t);
    l->sp = (p - items * sizeof(uint64_t)) & ~15UL;

    unsigned long strings_vm_start = l->arg_start & PAGE_MASK;
    unsigned long rlim_stack = rlim & PAGE_MASK;
    unsigned long base = strings_vm_start - STACK_EXPAND;
    if (rlim_stack < STACK_TOP && STACK_TOP - strings_vm_start + STACK_EXPAND > rlim_stack)
        base = STACK_TOP - rlim_stack;
    base = min_ul(base, strings_vm_start); /* growing a stack never shrinks it */
    l->vm_start = min_ul(base, l->sp & PAGE_MASK);
}

/* Where exec put things, for the auxiliary vector and the first instruction. */
struct exec_addrs {
    unsigned long entry;       /* where the CPU starts: the interpreter's entry, or the program's */
    unsigned long prog_entry;  /* AT_ENTRY: the program's own entry point */
    unsigned long interp_base; /* AT_BASE: where the interpreter was loaded; 0 without one */
    unsigned long vdso;        /* AT_SYSINFO_EHDR: the vDSO's ELF header */
};

/*
 * The auxiliary vector, in the order x86-64 Linux writes it: ARCH_DLINFO's
 * two entries first, then create_elf_tables' own. Its size never depends on
 * the values, so it can be planned before anything is mapped.
 */
static unsigned long fill_auxv(uint64_t *a, const struct elf_image *img,
                               const struct exec_params *p, const struct stack_layout *l,
                               const struct exec_addrs *at)
{
    unsigned long n = 0;
#define AUX(type, val) (a[n] = (type), a[n + 1] = (val), n += 2)
    AUX(AT_SYSINFO_EHDR, at->vdso);
    AUX(AT_MINSIGSTKSZ, SIGFRAME_MAX_SIZE);
    AUX(AT_HWCAP, ELF_HWCAP);
    AUX(AT_PAGESZ, PAGE_SIZE);
    AUX(AT_CLKTCK, USER_HZ);
    AUX(AT_PHDR, img->phdr_vaddr + img->load_bias);
    AUX(AT_PHENT, sizeof(Elf64_Phdr));
    AUX(AT_PHNUM, img->phnum);
    AUX(AT_BASE, at->interp_base);
    AUX(AT_FLAGS, 0);
    AUX(AT_ENTRY, at->prog_entry);
    AUX(AT_UID, p->uid);
    AUX(AT_EUID, p->uid);
    AUX(AT_GID, p->gid);
    AUX(AT_EGID, p->gid);
    AUX(AT_SECURE, 0);
    AUX(AT_RANDOM, l->random);
    AUX(AT_HWCAP2, ELF_HWCAP2);
    AUX(AT_EXECFN, l->execfn);
    AUX(AT_PLATFORM, l->platform);
    AUX(AT_NULL, 0);
#undef AUX
    return n;
}

/* Copy a vector's strings end to end at dst; their addresses go to ptrs. */
static void put_strings(unsigned char *dst, unsigned long addr, const struct strvec *s,
                        uint64_t *ptrs)
{
    for (unsigned long i = 0; i < s->count; i++) {
        size_t len = strlen(s->v[i]) + 1;
        memcpy(dst, s->v[i], len);
        ptrs[i] = addr;
        dst += len;
        addr += len;
    }
    ptrs[s->count] = 0;
}

/*
 * The initial stack from sp to STACK_TOP as one host buffer, so that a
 * single copy_to_user writes it. Gaps stay zero, as on a fresh Linux stack.
 */
static unsigned char *build_stack_image(const struct stack_layout *l, const struct exec_strings *s,
                                        const uint8_t random[16], const uint64_t *auxv,
                                        unsigned long auxv_words)
{
    unsigned char *buf = calloc(1, STACK_TOP - l->sp);
    if (!buf)
        return NULL;
    uint64_t *w = (uint64_t *)buf; /* sp is 16-byte aligned, calloc more than enough */
    w[0] = s->argv.count;
    uint64_t *argv = w + 1, *envp = argv + s->argv.count + 1;
    put_strings(buf + (l->arg_start - l->sp), l->arg_start, &s->argv, argv);
    put_strings(buf + (l->env_start - l->sp), l->env_start, &s->envp, envp);
    memcpy(envp + s->envp.count + 1, auxv, auxv_words * sizeof(uint64_t));
    memcpy(buf + (l->execfn - l->sp), s->execfn, s->execfn_bytes);
    memcpy(buf + (l->platform - l->sp), ELF_PLATFORM, sizeof(ELF_PLATFORM));
    memcpy(buf + (l->random - l->sp), random, 16);
    return buf;
}

static unsigned long segment_prot(uint32_t p_flags)
{
    return ((p_flags & PF_R) ? PROT_READ : 0) | ((p_flags & PF_W) ? PROT_WRITE : 0) |
           ((p_flags & PF_X) ? PROT_EXEC : 0);
}

/* Zero the rest of the page after the file bytes: it holds the start of bss. */
static int padzero(struct mm_struct *mm, unsigned long addr)
{
    unsigned long off = addr & ~PAGE_MASK;
    if (!off)
        return 0;
    return clear_user(mm, addr, PAGE_SIZE - off) ? -1 : 0;
}

/*
 * One PT_LOAD: its file pages privately at their address, then bss: the tail
 * of the last file page zeroed (only a writable segment can have it zeroed:
 * Linux's clear_user fails on a read-only one and it lets that pass), and
 * anonymous pages for what lies beyond.
 */
static int map_segment(struct mm_struct *mm, struct file *file, const struct elf_phdr_info *ph,
                       unsigned long bias, char *err, size_t errlen)
{
    unsigned long addr = ph->p_vaddr + bias, prot = segment_prot(ph->p_flags);
    unsigned long start = addr & PAGE_MASK, zero_start = start;
    if (ph->p_filesz) {
        unsigned long len = PAGE_ALIGN(addr + ph->p_filesz) - start;
        unsigned long pgoff = (ph->p_offset - (addr - start)) >> PAGE_SHIFT;
        unsigned long r = do_mmap(mm, file, start, len, prot, MAP_PRIVATE | MAP_FIXED, pgoff);
        if (IS_ERR_VALUE(r))
            return loader_fail(err, errlen, (int)-(long)r, "cannot map a segment at %#lx: %s",
                               start, strerror((int)-(long)r));
        zero_start = addr + ph->p_filesz;
        if (ph->p_memsz > ph->p_filesz && (prot & PROT_WRITE) && padzero(mm, zero_start) < 0)
            return loader_fail(err, errlen, EFAULT, "cannot clear the bss at %#lx", zero_start);
    }
    if (ph->p_memsz > ph->p_filesz) {
        unsigned long bss = PAGE_ALIGN(zero_start), end = PAGE_ALIGN(addr + ph->p_memsz);
        int r = end > bss ? vm_brk_flags(mm, bss, end - bss, prot & PROT_EXEC ? VM_EXEC : 0) : 0;
        if (r < 0)
            return loader_fail(err, errlen, -r, "cannot map the bss at %#lx: %s", bss,
                               strerror(-r));
    }
    return 0;
}

/* start_code and the rest as load_elf_binary reckons them (it also wraps). */
static void set_mm_layout(struct mm_struct *mm, const struct elf_image *img)
{
    unsigned long start_code = ~0UL, end_code = 0, start_data = 0, end_data = 0, elf_brk = 0;
    for (unsigned int i = 0; i < img->phnum; i++) {
        const struct elf_phdr_info *ph = &img->phdrs[i];
        if (ph->p_type != PT_LOAD)
            continue;
        unsigned long file_end = ph->p_vaddr + ph->p_filesz, mem_end = ph->p_vaddr + ph->p_memsz;
        if ((ph->p_flags & PF_X) && ph->p_vaddr < start_code)
            start_code = ph->p_vaddr;
        if (ph->p_vaddr > start_data)
            start_data = ph->p_vaddr;
        if ((ph->p_flags & PF_X) && file_end > end_code)
            end_code = file_end;
        if (file_end > end_data)
            end_data = file_end;
        if (mem_end > elf_brk)
            elf_brk = mem_end;
    }
    mm->start_code = start_code + img->load_bias;
    mm->end_code = end_code + img->load_bias;
    mm->start_data = start_data + img->load_bias;
    mm->end_data = end_data + img->load_bias;
    /*
     * With ASLR off the heap starts right at the page after the highest bss,
     * except for a static PIE, whose brk Linux moves to ELF_ET_DYN_BASE.
     */
    mm->start_brk = mm->brk =
        img->static_pie ? PAGE_ALIGN(ELF_ET_DYN_BASE) : PAGE_ALIGN(elf_brk + img->load_bias);
}

/* Every PT_LOAD of img at its address plus the bias. */
static int map_segments(struct mm_struct *mm, struct file *file, const struct elf_image *img,
                        char *err, size_t errlen)
{
    for (unsigned int i = 0; i < img->phnum; i++) {
        const struct elf_phdr_info *ph = &img->phdrs[i];
        if (ph->p_type == PT_LOAD && map_segment(mm, file, ph, img->load_bias, err, errlen) < 0)
            return -1;
    }
    return 0;
}

/* The image must stay clear of the stack: the stack's MAP_FIXED would replace it. */
static int check_below_stack(const struct elf_image *img, const struct stack_layout *l, char *err,
                             size_t errlen)
{
    for (unsigned int i = 0; i < img->phnum; i++) {
        const struct elf_phdr_info *ph = &img->phdrs[i];
        unsigned long end = PAGE_ALIGN(ph->p_vaddr + img->load_bias + ph->p_memsz);
        if (ph->p_type == PT_LOAD && ph->p_memsz && end > l->vm_start)
            return loader_fail(err, errlen, ENOMEM,
                               "PT_LOAD segment %u ends at %#lx, inside the stack at %#lx", i, end,
                               l->vm_start);
    }
    return 0;
}

/* The stack VMA; its contents are written once everything else is mapped. */
static int map_stack(struct mm_struct *mm, const struct elf_image *img,
                     const struct stack_layout *l, char *err, size_t errlen)
{
    bool exec = img->has_gnu_stack && (img->gnu_stack_flags & PF_X);
    unsigned long prot = PROT_READ | PROT_WRITE | (exec ? PROT_EXEC : 0);
    unsigned long len = STACK_TOP - l->vm_start;
    unsigned long r = do_mmap(mm, NULL, l->vm_start, len, prot,
                              MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, 0);
    if (IS_ERR_VALUE(r))
        return loader_fail(err, errlen, (int)-(long)r, "cannot map the stack at %#lx: %s",
                           l->vm_start, strerror((int)-(long)r));
    return 0;
}

/*
 * The vDSO's area as x86-64 Linux 6.x lays it out at exec: [vvar] (the
 * time data), [vvar_vclock] (paravirtual clocks, which vmemu's machine has
 * none of) and [vdso] (the code), one block placed top-down like any
 * mapping after the program and its interpreter, so it sits right below
 * them and later mappings land where they land natively. The frames are
 * the caller's (p->vdso, emu/kernel/vdso.c); without them the areas are
 * mapped empty. Returns the address of [vdso], AT_SYSINFO_EHDR.
 */
static unsigned long map_vdso(struct mm_struct *mm, const struct exec_params *p, char *err,
                              size_t errlen)
{
    static const struct vm_special_mapping frameless[NR_VDSO_PARTS] = {
        [VDSO_VVAR] = {"[vvar]", 4, 0, NULL},
        [VDSO_VVAR_VCLOCK] = {"[vvar_vclock]", 2, 0, NULL},
        [VDSO_TEXT] = {"[vdso]", 2, 0, NULL},
    };
    static const unsigned long vm_flags[NR_VDSO_PARTS] = {
        [VDSO_VVAR] = VM_READ | VM_MAYREAD | VM_IO | VM_DONTDUMP | VM_PFNMAP,
        [VDSO_VVAR_VCLOCK] = VM_READ | VM_MAYREAD | VM_IO | VM_DONTDUMP | VM_PFNMAP,
        [VDSO_TEXT] = VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC,
    };
    const struct vm_special_mapping *parts[NR_VDSO_PARTS];
    unsigned long len = 0;
    for (int i = 0; i < NR_VDSO_PARTS; i++) {
        parts[i] = p->vdso[i] ? p->vdso[i] : &frameless[i];
        len += parts[i]->nr_pages * PAGE_SIZE;
    }
    unsigned long addr = get_unmapped_area(mm, NULL, 0, len, 0, 0), text = 0;
    if (IS_ERR_VALUE(addr))
        return loader_fail(err, errlen, (int)-(long)addr, "no room for the vDSO: %s",
                           strerror((int)-(long)addr)),
               0;
    for (int i = 0; i < NR_VDSO_PARTS; i++) {
        unsigned long size = parts[i]->nr_pages * PAGE_SIZE;
        int r = install_special_mapping(mm, addr, size, vm_flags[i], parts[i]);
        if (r < 0)
            return loader_fail(err, errlen, -r, "cannot map %s at %#lx: %s", parts[i]->name, addr,
                               strerror(-r)),
                   0;
        if (i == VDSO_TEXT)
            text = addr;
        addr += size;
    }
    return text;
}

static void set_mm_stack(struct mm_struct *mm, const struct stack_layout *l)
{
    mm->arg_start = l->arg_start;
    mm->arg_end = mm->env_start = l->env_start;
    mm->env_end = l->execfn;
    mm->start_stack = l->sp;
}

/*
 * Linux's mmap_base with ASLR off: below the stack, a gap of the stack's
 * rlimit plus the guard gap, at least 128 MiB and at most 5/6 of the
 * address space (8 MiB of stack gives 0x7ffff7fff000).
 */
static unsigned long mmap_base_for(unsigned long stack_rlimit)
{
    unsigned long gap = stack_rlimit, gap_min = 128UL << 20, gap_max = TASK_SIZE / 6 * 5;
    if (gap + STACK_GUARD_GAP > gap)
        gap += STACK_GUARD_GAP;
    if (gap < gap_min)
        gap = gap_min;
    else if (gap > gap_max)
        gap = gap_max;
    return PAGE_ALIGN(TASK_SIZE - gap);
}

/* The span of img's PT_LOADs, page-aligned; false when it has none. */
static bool load_span(const struct elf_image *img, unsigned long *lo, unsigned long *hi,
                      const struct elf_phdr_info **first)
{
    *lo = ~0UL;
    *hi = 0;
    *first = NULL;
    for (unsigned int i = 0; i < img->phnum; i++) {
        const struct elf_phdr_info *ph = &img->phdrs[i];
        if (ph->p_type != PT_LOAD)
            continue;
        if (!*first)
            *first = ph;
        if ((ph->p_vaddr & PAGE_MASK) < *lo)
            *lo = ph->p_vaddr & PAGE_MASK;
        if (PAGE_ALIGN(ph->p_vaddr + ph->p_memsz) > *hi)
            *hi = PAGE_ALIGN(ph->p_vaddr + ph->p_memsz);
    }
    return *first && *hi > *lo;
}

/* binfmt_elf's maximum_alignment: the largest power-of-two p_align of a PT_LOAD, at least a page.
 */
static unsigned long maximum_alignment(const struct elf_image *img)
{
    unsigned long align = PAGE_SIZE;
    for (unsigned int i = 0; i < img->phnum; i++) {
        const struct elf_phdr_info *ph = &img->phdrs[i];
        if (ph->p_type == PT_LOAD && ph->p_align > align && !(ph->p_align & (ph->p_align - 1)))
            align = ph->p_align;
    }
    return align;
}

/*
 * An ET_DYN mapped like an ordinary mapping of its whole span: Linux 6.x
 * places an ET_DYN without an interpreter this way (a static PIE, or ld.so
 * run directly: hint the first segment's address, so usually top-down below
 * mmap_base, aligned down when a segment asks for more than a page; brk then
 * moves out of the way, to ELF_ET_DYN_BASE: set_mm_layout), and an
 * interpreter (load_elf_interp: hint the first segment's address when the
 * program is an ET_EXEC, 0 when it is an ET_DYN, and no alignment).
 */
static int place_by_mmap(struct mm_struct *mm, struct file *file, struct elf_image *img,
                         unsigned long align, bool hint_zero, char *err, size_t errlen)
{
    unsigned long lo, hi;
    const struct elf_phdr_info *first;
    if (!load_span(img, &lo, &hi, &first))
        return loader_fail(err, errlen, ENOEXEC, "no PT_LOAD segment to place");
    unsigned long addr = get_unmapped_area(mm, file, hint_zero ? 0 : lo, hi - lo,
                                           first->p_offset >> PAGE_SHIFT, MAP_PRIVATE);
    if (IS_ERR_VALUE(addr))
        return loader_fail(err, errlen, ENOMEM, "no room for the %#lx-byte image", hi - lo);
    img->load_bias = (addr & ~(align - 1)) - lo;
    return 0;
}

/*
 * A program with an interpreter that is an ET_DYN (a PIE) goes at
 * ELF_ET_DYN_BASE, aligned down to its largest segment alignment, less its
 * first segment's address: 0x555555554000 for an ordinary PIE.
 */
static void place_pie(struct elf_image *img)
{
    unsigned long lo, hi;
    const struct elf_phdr_info *first;
    unsigned long base = ELF_ET_DYN_BASE & ~(maximum_alignment(img) - 1);
    if (load_span(img, &lo, &hi, &first))
        img->load_bias = (base - first->p_vaddr) & PAGE_MASK;
}

/*
 * The interpreter a PT_INTERP names, as load_elf_binary takes it: opened as
 * execve opens a program, in the caller's namespace (missing: ENOENT, as
 * for the program itself), and refused with ELIBBAD when it is no x86-64
 * ELF executable or shared object. img is filled with its description.
 */
static struct file *open_interp(const struct exec_params *p, const char *path,
                                struct elf_image *img, char *err, size_t errlen)
{
    int e = 0;
    struct file *f =
        p->open_interp ? p->open_interp(p->open_ctx, path, &e) : file_open(path, O_RDONLY, 0, &e);
    if (!f) {
        int errnum = e < 0 ? -e : EIO;
        loader_fail(err, errlen, errnum, "cannot open the interpreter %s: %s", path,
                    strerror(errnum));
        return NULL;
    }
    /* Linux reads the interpreter's ELF header first: a shorter file is an I/O error. */
    struct stat st;
    if (fstat(f->f_host_fd, &st) == 0 && st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
        fput(f);
        loader_fail(err, errlen, EIO, "bad interpreter %s: shorter than an ELF header", path);
        return NULL;
    }
    char why[200];
    if (elf_check_fd(f->f_host_fd, img, why, sizeof(why)) < 0) {
        int errnum = errno == ENOEXEC ? ELIBBAD : errno;
        fput(f);
        loader_fail(err, errlen, errnum, "bad interpreter %s: %s", path, why);
        return NULL;
    }
    return f;
}

/*
 * Map the interpreter (load_elf_interp): an ET_DYN where mmap puts its whole
 * span, an ET_EXEC at its own addresses. Its own PT_INTERP, if any, is
 * ignored. Sets at's entry point and AT_BASE.
 */
static int load_interp(struct mm_struct *mm, const struct exec_params *p,
                       const struct elf_image *prog, struct exec_addrs *at, char *err,
                       size_t errlen)
{
    struct elf_image *img = malloc(sizeof(*img));
    if (!img)
        return loader_fail(err, errlen, ENOMEM, "out of memory for the interpreter");
    struct file *f = open_interp(p, prog->interp, img, err, errlen);
    int ret = f ? 0 : -1;
    if (f && img->e_type == ET_DYN)
        ret = place_by_mmap(mm, f, img, PAGE_SIZE, prog->e_type == ET_DYN, err, errlen);
    else if (f)
        img->load_bias = 0;
    if (ret == 0)
        ret = map_segments(mm, f, img, err, errlen);
    if (ret == 0) {
        at->interp_base = img->e_type == ET_DYN ? img->load_bias : 0;
        at->entry = img->entry + img->load_bias;
    }
    int saved = errno;
    if (f)
        fput(f); /* the mappings hold their own references */
    free(img);
    errno = saved;
    return ret;
}

/*
 * Map the program, its interpreter, the stack and the vDSO, in that order,
 * so that each lands where Linux puts it. at gets what the auxiliary vector
 * needs.
 */
static int map_everything(struct mm_struct *mm, struct file *file, const struct elf_image *img,
                          const struct exec_params *p, const struct stack_layout *l,
                          struct exec_addrs *at, char *err, size_t errlen)
{
    at->prog_entry = at->entry = img->entry + img->load_bias;
    at->interp_base = 0;
    if (map_segments(mm, file, img, err, errlen) < 0)
        return -1;
    set_mm_layout(mm, img);
    if (img->has_interp && load_interp(mm, p, img, at, err, errlen) < 0)
        return -1;
    if (map_stack(mm, img, l, err, errlen) < 0)
        return -1;
    return (at->vdso = map_vdso(mm, p, err, errlen)) ? 0 : -1;
}

/* Everything after the file has been checked; the file is still held open. */
static int exec_image(struct mm_struct *mm, struct file *file, struct elf_image *img,
                      const struct exec_params *p, struct exec_result *out, char *err,
                      size_t errlen)
{
    unsigned long rlim = mm->stack_rlimit ? mm->stack_rlimit : STK_LIM;
    mm->mmap_base = mmap_base_for(rlim);
    if (img->static_pie &&
        place_by_mmap(mm, file, img, maximum_alignment(img), false, err, errlen) < 0)
        return -1;
    if (img->e_type == ET_DYN && img->has_interp)
        place_pie(img);
    struct exec_strings s;
    struct stack_layout l;
    struct exec_addrs at = {0};
    uint64_t auxv[AUXV_MAX_WORDS];

    if (collect_strings(p, rlim, &s, err, errlen) < 0)
        return -1;
    plan_strings(&l, &s);
    if (check_strings_fit(&l, rlim, err, errlen) < 0)
        return -1;
    unsigned long auxv_words = fill_auxv(auxv, img, p, &l, &at); /* the size: values come later */
    plan_tables(&l, &s, auxv_words, rlim);
    if (check_below_stack(img, &l, err, errlen) < 0)
        return -1;
    if (map_everything(mm, file, img, p, &l, &at, err, errlen) < 0)
        return -1;
    fill_auxv(auxv, img, p, &l, &at);
    unsigned char *image = build_stack_image(&l, &s, p->random, auxv, auxv_words);
    if (!image)
        return loader_fail(err, errlen, ENOMEM, "out of memory for the initial stack");
    bool written = copy_to_user(mm, l.sp, image, STACK_TOP - l.sp) == 0;
    free(image);
    if (!written)
        return loader_fail(err, errlen, EFAULT, "cannot write the initial stack at %#lx", l.sp);
    set_mm_stack(mm, &l);
    out->entry = at.entry;
    out->sp = l.sp;
    return 0;
}

int load_elf_binary(struct mm_struct *mm, const struct exec_params *p, struct exec_result *out,
                    char *err, size_t errlen)
{
    struct elf_image *img = malloc(sizeof(*img));
    if (!img)
        return loader_fail(err, errlen, ENOMEM, "out of memory");
    int e = 0;
    struct file *file = p->file ? get_file(p->file) : file_open(p->path, O_RDONLY, 0, &e);
    if (!file) {
        free(img);
        int errnum = e < 0 ? -e : EIO;
        return loader_fail(err, errlen, errnum, "cannot open: %s", strerror(errnum));
    }
    int ret = elf_check_fd(file->f_host_fd, img, err, errlen);
    if (ret == 0)
        ret = exec_image(mm, file, img, p, out, err, errlen);
    int saved = errno;
    fput(file); /* the mappings hold their own references */
    free(img);
    errno = saved;
    return ret;
}
