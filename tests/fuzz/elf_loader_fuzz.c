/*
 * libFuzzer target for loader/: each input is written to a fresh memfd and
 * given to elf_check_fd, then, if accepted, loaded into a fresh mm with
 * load_elf_binary, as vmemu's execve does. Malformed input must be refused
 * with a line of text, never crash, overflow or trip UBSan, and a refused
 * or loaded image must leave no frame behind: after the mm is released and
 * the page cache dropped, the free-page count is back where it was (a leak
 * aborts, so libFuzzer keeps the input).
 *
 * Built with clang -fsanitize=fuzzer,address,undefined by tests/fuzz/
 * CMakeLists.txt; run by tests/fuzz/elf_loader.sh.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loader/elf.h"
#include "mm/arch.h"
#include "mm/fs.h"
#include "mm/internal.h" /* filemap_exit: the test drops the whole page cache */
#include "mm/pagemap.h"
#include "mm/mm_init.h"
#include "mm/mmap.h"
#include "mm/page.h"
#include "mm/slab.h"
#include "mm/vma_tree.h"

#define FUZZ_RAM (32ULL << 20)

/* No CPU here: the arch hooks have nothing to flush. */
void arch_flush_tlb_mm(struct mm_struct *mm)
{
    (void)mm;
}

bool arch_tlb_may_hold(struct mm_struct *mm, unsigned long addr)
{
    (void)mm, (void)addr;
    return false;
}

void arch_flush_code_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
    (void)mm, (void)start, (void)end;
}

void arch_frames_changing(unsigned long pfn, unsigned long nr)
{
    (void)pfn, (void)nr;
}

void arch_account_fault(struct mm_struct *mm, bool major)
{
    (void)mm, (void)major;
}

uint64_t arch_now_ns(void)
{
    return 0;
}

/* No scheduler: kswapd never runs, direct reclaim does the work. */
void arch_wake_kswapd(void) {}

/* No processes: the OOM killer finds nobody to kill and the allocation fails. */
void arch_for_each_oom_task(bool (*fn)(const struct oom_task *t, void *arg), void *arg)
{
    (void)fn, (void)arg;
}

void arch_oom_kill(const struct oom_task *t)
{
    (void)t;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (mm_init(&(struct mm_settings){.ram_bytes = FUZZ_RAM}) != 0) {
        fprintf(stderr, "elf_loader_fuzz: cannot set up guest RAM\n");
        abort();
    }
    return 0;
}

static unsigned long frames_in_use_baseline(void)
{
    drop_pagecache();
    kmem_cache_shrink_all();
    return nr_free_pages();
}

static void load(int fd)
{
    char path[64], err[256];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    char *argv[] = {"fuzzed", "arg", NULL};
    char *envp[] = {"A=1", NULL};
    struct exec_params p = {.path = path, .execfn = path, .argv = argv, .envp = envp};
    struct exec_result res;
    struct mm_struct *mm = mm_alloc(&vma_maple_ops);
    if (!mm)
        abort();
    load_elf_binary(mm, &p, &res, err, sizeof(err));
    mmput(mm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned long before = frames_in_use_baseline();
    int fd = memfd_create("fuzzed-elf", MFD_CLOEXEC);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size)
        abort();
    struct elf_image img;
    char err[256];
    if (elf_check_fd(fd, &img, err, sizeof(err)) == 0)
        load(fd);
    close(fd);
    filemap_exit(); /* the memfd's pages leave the cache with it */
    unsigned long after = frames_in_use_baseline();
    if (after != before) {
        fprintf(stderr, "elf_loader_fuzz: %lu frames free before, %lu after: a leak\n", before,
                after);
        abort();
    }
    return 0;
}
