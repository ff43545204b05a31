/*
 * Stale translated code must never run. Code is loaded by read() (the
 * kernel writes it, so the CPU's own self-modifying-code checks never see
 * the store) into an executable page, run, unmapped; the same address is
 * mapped again, which reuses the freed frame, different code is read in and
 * run. Then code is replaced in place, again through read(). Last, the
 * program reads a fresh executable page (the zero page gets mapped) and
 * stores code into it itself: the copy-on-write of an executable page.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CODE_VA ((void *)0x10000000)

/* mov eax, imm32; ret */
static void make_code(unsigned char *buf, int value)
{
    buf[0] = 0xb8;
    for (int i = 0; i < 4; i++)
        buf[1 + i] = (unsigned char)(value >> (8 * i));
    buf[5] = 0xc3;
}

static int load_and_call(int fd, off_t off)
{
    int (*fn)(void) = (int (*)(void))CODE_VA;
    if (pread(fd, CODE_VA, 6, off) != 6) {
        perror("pread");
        exit(1);
    }
    return fn();
}

static void map_code(void)
{
    void *p = mmap(CODE_VA, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (p != CODE_VA) {
        perror("mmap");
        exit(1);
    }
}

int main(void)
{
    char path[] = "/tmp/vmemu-code-reuse-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        return 1;
    }
    unlink(path);
    unsigned char code[18];
    make_code(code, 1);
    make_code(code + 6, 2);
    make_code(code + 12, 3);
    if (write(fd, code, sizeof(code)) != (ssize_t)sizeof(code)) {
        perror("write");
        return 1;
    }
    map_code();
    printf("first code returned %d\n", load_and_call(fd, 0));
    munmap(CODE_VA, 4096);
    map_code();
    printf("code at the same address after remapping returned %d\n", load_and_call(fd, 6));
    printf("code replaced in place returned %d\n", load_and_call(fd, 12));
    close(fd);

    munmap(CODE_VA, 4096);
    map_code();
    volatile unsigned char *page = CODE_VA;
    unsigned char sum = page[0] | page[100]; /* maps the zero page, executable */
    make_code(code, 4 + sum);
    memcpy(CODE_VA, code, 6); /* copy-on-write of the zero page */
    printf("code stored over the zero page returned %d\n", ((int (*)(void))CODE_VA)());
    return 0;
}
