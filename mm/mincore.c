/*
 * mincore(2): which pages of a range are resident. A present entry is
 * resident (the shared zero page too, as in Linux); where there is none, a
 * file mapping asks the page cache and anonymous memory says no.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "mmap.h"
#include "pagemap.h"
#include "pgtable.h"

/*
 * Is the file page in the page cache? In warm mode every page of a host
 * file counts as cached (vmemu's model of a recently read file), so it
 * says yes for all of them within the file's size.
 */
static unsigned char file_page_cached(struct address_space *as, pgoff_t index)
{
    return as && filemap_page_cached(as, index);
}

struct mincore_ctx {
    struct vm_area_struct *vma;
    unsigned long start;
    unsigned char *vec;
};

static void mincore_one(pte_t *pte, unsigned long addr, void *arg)
{
    struct mincore_ctx *c = arg;
    unsigned char *v = &c->vec[(addr - c->start) >> PAGE_SHIFT];
    if (pte_present(*pte))
        *v = 1;
    else if (pte_none(*pte) && c->vma->vm_file)
        *v = file_page_cached(c->vma->vm_file->f_mapping,
                              c->vma->vm_pgoff + ((addr - c->vma->vm_start) >> PAGE_SHIFT));
    else if (is_swap_pte(*pte))
        *v = swap_page_cached(pte_to_swp_entry(*pte)); /* Linux's mincore_swap */
}

long do_mincore(struct mm_struct *mm, unsigned long start, unsigned long pages, unsigned char *vec)
{
    struct vm_area_struct *vma = find_vma(mm, start);
    if (!vma || vma->vm_start > start)
        return -ENOMEM;
    unsigned long end = start + pages * PAGE_SIZE;
    if (end > vma->vm_end || end < start)
        end = vma->vm_end;
    unsigned long n = (end - start) >> PAGE_SHIFT;
    struct mincore_ctx c = {vma, start, vec};
    /* Missing tables are skipped by the walk: start from "not resident" or the cache. */
    memset(vec, 0, n);
    if (vma->vm_file)
        for (unsigned long i = 0; i < n; i++)
            vec[i] = file_page_cached(vma->vm_file->f_mapping,
                                      vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT) + i);
    walk_page_range(mm, start, end, mincore_one, &c);
    return (long)n;
}
