/*
 * The registers a program finds at _start, before any C library runs:
 * every general register zero but rsp (Linux's ELF_PLAT_INIT), rflags
 * 0x202, CS 0x33 and SS 0x2b with null data selectors, no FS or GS base,
 * and the FPU as after fninit (fxsave image: FCW 0x37f, FSW 0, no register
 * tagged, MXCSR 0x1f80, x87 and XMM registers zero). Built without a C
 * library (-nostdlib): _start saves everything first, then prints with raw
 * system calls, so the comparison with a native run sees the kernel's
 * values, not a library's.
 */
typedef unsigned long u64;

u64 start_saved[24];
unsigned char start_fxsave[512] __attribute__((aligned(16)));

__asm__(".globl _start\n"
        "_start:\n"
        "mov %rax, start_saved+0(%rip)\n"
        "mov %rbx, start_saved+8(%rip)\n"
        "mov %rcx, start_saved+16(%rip)\n"
        "mov %rdx, start_saved+24(%rip)\n"
        "mov %rsi, start_saved+32(%rip)\n"
        "mov %rdi, start_saved+40(%rip)\n"
        "mov %rbp, start_saved+48(%rip)\n"
        "mov %rsp, start_saved+56(%rip)\n"
        "mov %r8, start_saved+64(%rip)\n"
        "mov %r9, start_saved+72(%rip)\n"
        "mov %r10, start_saved+80(%rip)\n"
        "mov %r11, start_saved+88(%rip)\n"
        "mov %r12, start_saved+96(%rip)\n"
        "mov %r13, start_saved+104(%rip)\n"
        "mov %r14, start_saved+112(%rip)\n"
        "mov %r15, start_saved+120(%rip)\n"
        "pushfq\n"
        "pop %rax\n"
        "mov %rax, start_saved+128(%rip)\n"
        "xor %eax, %eax\n"
        "mov %cs, %ax\n"
        "mov %rax, start_saved+136(%rip)\n"
        "mov %ss, %ax\n"
        "mov %rax, start_saved+144(%rip)\n"
        "mov %ds, %ax\n"
        "mov %rax, start_saved+152(%rip)\n"
        "mov %es, %ax\n"
        "mov %rax, start_saved+160(%rip)\n"
        "mov %fs, %ax\n"
        "mov %rax, start_saved+168(%rip)\n"
        "mov %gs, %ax\n"
        "mov %rax, start_saved+176(%rip)\n"
        "fxsave start_fxsave(%rip)\n"
        "and $-16, %rsp\n"
        "call start_main\n"
        "ud2\n");

static long sys(long nr, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"(nr), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return r;
}

static void put(const char *name, u64 v)
{
    char line[64];
    int n = 0;
    while (*name)
        line[n++] = *name++;
    line[n++] = ' ';
    for (int shift = 60; shift >= 0; shift -= 4)
        line[n++] = "0123456789abcdef"[(v >> shift) & 15];
    line[n++] = '\n';
    sys(1 /* write */, 1, (long)line, n);
}

static u64 bytes_or(int from, int to)
{
    u64 any = 0;
    for (int i = from; i < to; i++)
        any |= start_fxsave[i];
    return any;
}

void start_main(void)
{
    static const char *const names[] = {"rax",    "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
                                        "r8",     "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
                                        "rflags", "cs",  "ss",  "ds",  "es",  "fs",  "gs"};
    for (int i = 0; i < 23; i++)
        put(names[i], i == 7 ? start_saved[i] & 15 : start_saved[i]); /* rsp: its alignment */
    u64 fs_base = 1, gs_base = 1;
    sys(158 /* arch_prctl */, 0x1003 /* ARCH_GET_FS */, (long)&fs_base, 0);
    sys(158, 0x1004 /* ARCH_GET_GS */, (long)&gs_base, 0);
    put("fs_base", fs_base);
    put("gs_base", gs_base);
    put("fcw", *(unsigned short *)start_fxsave);
    put("fsw", *(unsigned short *)(start_fxsave + 2));
    put("ftw_abridged", start_fxsave[4]);
    put("fop", *(unsigned short *)(start_fxsave + 6));
    put("fip", *(u64 *)(start_fxsave + 8));
    put("fdp", *(u64 *)(start_fxsave + 16));
    put("mxcsr", *(unsigned int *)(start_fxsave + 24));
    put("st0-7 bits", bytes_or(32, 160));
    put("xmm0-15 bits", bytes_or(160, 416));
    sys(60 /* exit */, 0, 0, 0);
}
