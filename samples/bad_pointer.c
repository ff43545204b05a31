/*
 * Dies the way a buggy program does: a store through a wild pointer near
 * NULL, so the kernel (or vmemu playing it) delivers SIGSEGV and logs
 * "segfault at 10 ...". The line before it must already be out.
 */
#include <stdio.h>

int main(void)
{
    printf("about to write through a wild pointer\n");
    fflush(stdout);
    *(volatile int *)0x10 = 1;
    printf("still alive: the write did not fault\n");
    return 0;
}
