/* Loading an x86-64 ELF executable into a fresh mm, as the kernel's execve. */
#ifndef VMEMU_LOADER_ELF_H
#define VMEMU_LOADER_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm_struct;
struct file;
struct vm_special_mapping;

/* The areas of the vDSO, in address order, as x86-64 Linux 6.x maps them. */
enum { VDSO_VVAR, VDSO_VVAR_VCLOCK, VDSO_TEXT, NR_VDSO_PARTS };

/*
 * Opens a program's interpreter (PT_INTERP) as execve opens a program, in
 * the namespace of the task that execs: the file, or NULL with *err set to
 * -errno.
 */
typedef struct file *(*open_interp_fn)(void *ctx, const char *path, int *err);

struct exec_params {
    const char *path;           /* the host file to load, when file is NULL */
    struct file *file;          /* the program, already opened and checked as execve does */
    open_interp_fn open_interp; /* NULL: the interpreter is the host file of that path */
    void *open_ctx;
    /* The vDSO's frames (emu/kernel/vdso.c); a NULL part is mapped with none. */
    const struct vm_special_mapping *vdso[NR_VDSO_PARTS];
    const char *execfn; /* AT_EXECFN: the name the program was started with */
    char *const *argv;
    char *const *envp;
    uint8_t random[16]; /* AT_RANDOM bytes, seeded for deterministic runs */
    unsigned int uid, gid;
};

struct exec_result {
    unsigned long entry; /* where execution starts */
    unsigned long sp;    /* the initial stack pointer: argc */
};

/* Exit status vmemu uses for a program it refuses to load, like a shell. */
#define EXEC_REFUSED_STATUS 126
/* Exit status when the program does not exist, like a shell. */
#define EXEC_NOT_FOUND_STATUS 127

/*
 * Check the file, map its PT_LOAD segments and its interpreter's, set brk,
 * map the vDSO, build the stack. Returns 0, or -1 with one line (naming
 * neither the file nor vmemu) in err saying why the file was refused, and
 * errno set as execve(2) would set it: ENOENT when there is no such file or
 * no such interpreter (exit with EXEC_NOT_FOUND_STATUS), ENOEXEC for a file
 * that is not a loadable executable, ELIBBAD for an interpreter that is
 * not one, EACCES for a directory or other non-regular file, E2BIG for too
 * many arguments, ENOMEM or EFAULT when the address space could not be
 * built. After a failure the mm may hold some of the mappings: the caller
 * discards it with mmput().
 */
int load_elf_binary(struct mm_struct *mm, const struct exec_params *p, struct exec_result *out,
                    char *err, size_t errlen);

/* One program header, with the file's own values (no load bias applied). */
struct elf_phdr_info {
    uint32_t p_type, p_flags;
    uint64_t p_offset, p_vaddr, p_filesz, p_memsz, p_align;
};

/*
 * Linux reads at most one page of program headers (binfmt_elf's
 * load_elf_phdrs): 4096 / sizeof(Elf64_Phdr) entries.
 */
#define ELF_MAX_PHNUM 73
/* Longest interpreter path Linux accepts in PT_INTERP, its NUL included (PATH_MAX). */
#define INTERP_MAX 4096

/* A checked executable: everything the loader needs, nothing mapped yet. */
struct elf_image {
    unsigned int e_type; /* ET_EXEC or ET_DYN */
    uint64_t entry;      /* e_entry, without the load bias */
    unsigned int phnum;  /* e_phnum: entries in phdrs */
    struct elf_phdr_info phdrs[ELF_MAX_PHNUM];
    unsigned int nr_load;     /* PT_LOAD entries among them */
    bool has_gnu_stack;       /* a PT_GNU_STACK header is present */
    uint32_t gnu_stack_flags; /* its p_flags; PF_X asks for an executable stack */
    uint64_t phdr_vaddr;      /* AT_PHDR without the load bias; 0 when not mapped */
    bool static_pie;          /* ET_DYN without PT_INTERP */
    uint64_t load_bias;       /* added to every p_vaddr: 0, or where an ET_DYN goes */
    bool has_interp;          /* a PT_INTERP: a dynamically linked program */
    char interp[INTERP_MAX];  /* then the interpreter's path, as PT_INTERP gives it */
};

/*
 * Check the executable open on fd (read with pread only: the file position
 * is left alone) and describe it in img. Returns 0, or -1 with errno set
 * (ENOEXEC, EACCES, EIO, ENOMEM) and one line in err saying why the file
 * cannot be run; malformed input of any shape is refused, never trusted.
 */
int elf_check_fd(int fd, struct elf_image *img, char *err, size_t errlen);
/* The same for a path: ENOENT and friends when it cannot be opened. */
int elf_check(const char *path, struct elf_image *img, char *err, size_t errlen);

/* Write one line to err, set errno to errnum and return -1: the loader's refusals. */
int loader_fail(char *err, size_t errlen, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
