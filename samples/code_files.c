/*
 * Code run from a file's pages stays right when the file changes. vmemu
 * keeps translations of a page-cache frame after it is unmapped (the next
 * process running the same program reuses them), so it must drop them
 * whenever the frame's bytes change: write() and pwrite() into the file,
 * ftruncate() zeroing the tail of a page, the frame freed and reused. The
 * program maps a file's code, runs it, unmaps it, changes the file in one
 * of those ways, maps it again (in itself or in a child) and runs it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int fd;

/* mov eax, imm32; ret, at offset off of the file. */
static void put_code(off_t off, int value)
{
    unsigned char c[6] = {0xb8,
                          (unsigned char)value,
                          (unsigned char)(value >> 8),
                          (unsigned char)(value >> 16),
                          (unsigned char)(value >> 24),
                          0xc3};
    if (pwrite(fd, c, sizeof(c), off) != (ssize_t)sizeof(c)) {
        perror("pwrite");
        exit(1);
    }
}

/* Map the file's first page executable, call the code at off, unmap. */
static int run_at(off_t off, int flags)
{
    unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, flags, fd, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    int r = ((int (*)(void))(p + off))();
    munmap(p, 4096);
    return r;
}

int main(void)
{
    char path[] = "/tmp/vmemu-code-files-XXXXXX";
    fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        return 1;
    }
    unlink(path);
    put_code(0, 1);
    put_code(64, 2);
    printf("first map: %d %d\n", run_at(0, MAP_PRIVATE), run_at(64, MAP_SHARED));
    put_code(0, 11); /* pwrite into the cached page */
    printf("after pwrite: %d %d\n", run_at(0, MAP_PRIVATE), run_at(64, MAP_SHARED));
    unsigned char c[6] = {0xb8, 12, 0, 0, 0, 0xc3};
    if (lseek(fd, 64, SEEK_SET) != 64 || write(fd, c, sizeof(c)) != (ssize_t)sizeof(c))
        return 1;
    printf("after write: %d %d\n", run_at(0, MAP_PRIVATE), run_at(64, MAP_SHARED));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        put_code(0, 21);
        printf("child after its pwrite: %d %d\n", run_at(0, MAP_PRIVATE), run_at(64, MAP_SHARED));
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    printf("parent after the child's pwrite: %d %d\n", run_at(0, MAP_PRIVATE),
           run_at(64, MAP_SHARED));
    /* Shrink to 32 bytes and grow back: the page's tail reads zeros, then new code goes there. */
    if (ftruncate(fd, 32) != 0 || ftruncate(fd, 4096) != 0)
        return 1;
    put_code(64, 31);
    printf("after truncate and pwrite: %d %d\n", run_at(0, MAP_PRIVATE), run_at(64, MAP_SHARED));
    close(fd);
    return 0;
}
