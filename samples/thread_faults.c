/*
 * Faults from several threads of one process at once: THREADS threads each
 * write every page of their own slice of one anonymous mapping. A
 * benchmark of faults under preemption, and a check that every page holds
 * what its thread wrote.
 *
 *   thread_faults [THREADS [MIB_EACH]]     (default 4 threads, 1 MiB each)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

static char *area;
static long pages_each;

static void *touch(void *arg)
{
    long id = (long)arg;
    char *slice = area + id * pages_each * 4096;
    for (long p = 0; p < pages_each; p++)
        slice[p * 4096] = (char)(id + 1);
    return NULL;
}

int main(int argc, char **argv)
{
    long threads = argc > 1 ? atol(argv[1]) : 4, mib = argc > 2 ? atol(argv[2]) : 1;
    if (threads < 1 || threads > 64 || mib < 1)
        return 2;
    pages_each = mib * 256;
    size_t len = (size_t)threads * (size_t)pages_each * 4096;
    area = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED)
        return 1;
    madvise(area, len, MADV_NOHUGEPAGE);
    pthread_t th[64];
    for (long i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, touch, (void *)i);
    for (long i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    long bad = 0;
    for (long i = 0; i < threads * pages_each; i++)
        bad += area[i * 4096] != (char)(i / pages_each + 1);
    printf("%ld threads wrote %ld pages each, %ld wrong\n", threads, pages_each, bad);
    return bad != 0;
}
