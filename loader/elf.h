/* Loading an x86-64 ELF executable into a fresh mm, as the kernel's execve. */
#ifndef VMEMU_LOADER_ELF_H
#define VMEMU_LOADER_ELF_H

#include <stddef.h>
#include <stdint.h>

struct mm_struct;

struct exec_params {
    const char *path;   /* the host file to load */
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

/*
 * Check the file, map its PT_LOAD segments, set brk, build the stack.
 * Returns 0, or -1 with one line (naming neither the file nor vmemu) in err
 * saying why the file was refused.
 */
int load_elf_binary(struct mm_struct *mm, const struct exec_params *p, struct exec_result *out,
                    char *err, size_t errlen);

#endif
