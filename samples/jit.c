/*
 * Code written, run, then written over and run again, as a JIT does:
 * functions packed 16 bytes apart in pages that are executable and
 * writable, rewritten with other constants in three rounds, called once
 * per round. Every call must return what was last written: a stale
 * translation of the old bytes would return the old constant.
 *
 *   jit [FUNCTIONS]     (default 600: a few pages)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void emit(unsigned char *p, int v)
{
    p[0] = 0xb8; /* mov eax, imm32 */
    memcpy(p + 1, &v, 4);
    p[5] = 0xc3; /* ret */
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 600;
    unsigned char *buf = mmap(NULL, (size_t)n * 16 + 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED)
        return 1;
    int right = 0, wrong = 0;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < n; i++)
            emit(buf + i * 16, round * 100000 + i);
        for (int i = 0; i < n; i++) {
            int got = ((int (*)(void))(buf + i * 16))();
            if (got == round * 100000 + i)
                right++;
            else
                wrong++;
        }
    }
    printf("%d calls returned what was last written, %d returned stale values\n", right, wrong);
    return wrong != 0;
}
