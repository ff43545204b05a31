/*
 * The stack grows on demand: recursion with 2 KiB frames goes about 1 MiB
 * deep, far below the initial stack VMA, so the kernel (or vmemu) extends
 * the VM_GROWSDOWN stack page by page. With "overflow" it recurses without
 * end and dies of SIGSEGV once the stack would pass RLIMIT_STACK.
 * Usage: stack_grow [DEPTH | overflow]  (default depth 512)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long dive(unsigned long depth, unsigned long limit)
{
    volatile unsigned char frame[2048];
    memset((void *)frame, (int)(depth & 0xff), sizeof(frame));
    if (limit && depth >= limit)
        return frame[depth % sizeof(frame)];
    return frame[7] + dive(depth + 1, limit);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "overflow") == 0) {
        printf("recursing without end\n");
        fflush(stdout);
        return (int)dive(0, 0);
    }
    unsigned long depth = argc > 1 ? strtoul(argv[1], NULL, 10) : 512;
    printf("depth %lu: sum %lu\n", depth, dive(1, depth));
    return 0;
}
