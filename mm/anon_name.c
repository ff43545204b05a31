/*
 * Names of anonymous memory (Linux 5.17's PR_SET_VMA_ANON_NAME):
 * /proc/PID/maps shows a named private anonymous VMA as "[anon:NAME]" and
 * named shared anonymous memory as "[anon_shmem:NAME]". A name is one
 * reference-counted string shared by every VMA carrying it (the pieces of
 * a split, fork's copies), freed with the last; VMAs merge only when their
 * names are equal.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "mmap.h"
#include "slab.h"

struct anon_vma_name {
    int refcount;
    char name[];
};

struct anon_vma_name *anon_vma_name_get(struct anon_vma_name *name)
{
    if (name)
        name->refcount++;
    return name;
}

void anon_vma_name_put(struct anon_vma_name *name)
{
    if (name && --name->refcount == 0)
        kfree(name);
}

bool anon_vma_name_eq(const struct anon_vma_name *a, const struct anon_vma_name *b)
{
    return a == b || (a && b && strcmp(a->name, b->name) == 0);
}

const char *anon_vma_name_text(const struct vm_area_struct *vma)
{
    return vma->anon_name ? vma->anon_name->name : NULL;
}

/* Give [start, end) of vma the name: split there, set it, merge where the names now agree. */
static int vma_modify_name(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long start,
                           unsigned long end, struct anon_vma_name *name)
{
    int err = 0;
    if (anon_vma_name_eq(vma->anon_name, name))
        return 0;
    if (vma->vm_start < start && !(vma = split_vma(mm, vma, start, &err)))
        return err;
    if (vma->vm_end > end && !split_vma(mm, vma, end, &err))
        return err;
    anon_vma_name_put(vma->anon_name);
    vma->anon_name = anon_vma_name_get(name);
    vma_notify(mm, VMA_CHANGED, vma);
    vma_merge_neighbours(mm, vma);
    return 0;
}

/*
 * Linux's madvise_set_anon_name and madvise_walk_vmas: the range is whole
 * pages from start; a file mapping in it is EBADF (only anonymous memory,
 * private or shared, has these names); a hole is ENOMEM, reported after
 * the VMAs beyond it were named.
 */
static int walk_and_name(struct mm_struct *mm, unsigned long start, unsigned long end,
                         struct anon_vma_name *name)
{
    int unmapped = 0;
    unsigned long addr = start;
    while (addr < end) {
        struct vm_area_struct *vma = find_vma(mm, addr);
        if (!vma || vma->vm_start >= end)
            return -ENOMEM;
        if (vma->vm_start > addr) {
            unmapped = -ENOMEM;
            addr = vma->vm_start;
        }
        unsigned long e = vma->vm_end < end ? vma->vm_end : end;
        if (vma->vm_file && !vma_file_is_shmem(vma->vm_file))
            return -EBADF;
        int err = vma_modify_name(mm, vma, addr, e, name);
        if (err)
            return err;
        addr = e;
    }
    return unmapped;
}

int madvise_set_anon_name(struct mm_struct *mm, unsigned long start, unsigned long len_in,
                          const char *text)
{
    if (start & ~PAGE_MASK)
        return -EINVAL;
    unsigned long len = PAGE_ALIGN(len_in);
    if (len_in && !len)
        return -EINVAL;
    unsigned long end = start + len;
    if (end < start)
        return -EINVAL;
    if (end == start)
        return 0;
    struct anon_vma_name *name = NULL;
    if (text) {
        size_t n = strlen(text) + 1;
        if (!(name = kmalloc(sizeof(*name) + n, GFP_KERNEL)))
            return -ENOMEM;
        name->refcount = 1;
        memcpy(name->name, text, n);
    }
    int err = walk_and_name(mm, start, end, name);
    anon_vma_name_put(name); /* the VMAs hold their own references */
    return err;
}
