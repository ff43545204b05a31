/*
 * A program runs at CPL 3 with Linux's user selectors: CS 0x33, SS 0x2b,
 * the data selectors null. Prints them, then runs the instruction named by
 * argv[1], which at CPL 3 raises #GP (SIGSEGV) or #UD (SIGILL), as natively:
 * an emulated CPU left at CPL 0 would let them run. No argument: just the
 * selectors.
 */
#include <stdio.h>
#include <string.h>

static void run(const char *what)
{
    char desc[10] = {0};
    if (strcmp(what, "cli") == 0)
        __asm__ volatile("cli");
    else if (strcmp(what, "hlt") == 0)
        __asm__ volatile("hlt");
    else if (strcmp(what, "rdmsr") == 0)
        __asm__ volatile("rdmsr" : : "c"(0xc0000080) : "rax", "rdx");
    else if (strcmp(what, "wrmsr") == 0) /* EFER = 0 would leave long mode */
        __asm__ volatile("wrmsr" : : "c"(0xc0000080), "a"(0), "d"(0));
    else if (strcmp(what, "mov-cr0") == 0)
        __asm__ volatile("xor %%eax, %%eax; mov %%rax, %%cr0" : : : "rax");
    else if (strcmp(what, "mov-cr4") == 0)
        __asm__ volatile("xor %%eax, %%eax; mov %%rax, %%cr4" : : : "rax");
    else if (strcmp(what, "lgdt") == 0)
        __asm__ volatile("lgdt %0" : : "m"(desc));
    else if (strcmp(what, "swapgs") == 0)
        __asm__ volatile("swapgs");
    else if (strcmp(what, "sysret") == 0)
        __asm__ volatile("sysretq");
    else if (strcmp(what, "iret-cpl0") == 0) /* a return to ring 0 with a null CS */
        __asm__ volatile("pushq $0; pushq $0; pushq $0; pushq $0; pushq $0; iretq");
    else if (strcmp(what, "invlpg") == 0)
        __asm__ volatile("invlpg (%0)" : : "r"(desc) : "memory");
    else if (strcmp(what, "wbinvd") == 0)
        __asm__ volatile("wbinvd");
    else
        printf("unknown instruction %s\n", what);
}

int main(int argc, char **argv)
{
    unsigned short cs, ss, ds, es, fs, gs;
    __asm__ volatile("mov %%cs, %0; mov %%ss, %1; mov %%ds, %2; mov %%es, %3; mov %%fs, %4; "
                     "mov %%gs, %5"
                     : "=r"(cs), "=r"(ss), "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs));
    printf("cs %#x ss %#x ds %#x es %#x fs %#x gs %#x\n", cs, ss, ds, es, fs, gs);
    if (argc < 2)
        return 0;
    printf("running %s\n", argv[1]);
    fflush(stdout);
    run(argv[1]);
    printf("%s ran at user level\n", argv[1]);
    return 0;
}
