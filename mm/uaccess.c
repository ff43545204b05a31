/*
 * Copies between vmemu and guest memory, through the guest's page tables.
 * A page that is not there yet is faulted in exactly as the CPU's access
 * would have done it, so the fault counts match Linux's for system calls
 * that touch user buffers.
 */
#include <errno.h>
#include <string.h>

#include "arch.h"
#include "fault.h"
#include "mmap.h"
#include "pgtable.h"
#include "uaccess.h"

/* Host address of the page holding addr, ready for the access; NULL: EFAULT. */
static unsigned char *user_page(struct mm_struct *mm, unsigned long addr, bool write)
{
    if (addr >= TASK_SIZE)
        return NULL;
    for (int tries = 0; tries < 2; tries++) {
        pte_t *pte = pte_offset(mm, addr);
        if (pte && pte_accessible(*pte) && (!write || pte_write(*pte))) {
            /* What the CPU's walker would have set for the same access. */
            *pte = write ? pte_mkdirty(pte_mkyoung(*pte)) : pte_mkyoung(*pte);
            return (unsigned char *)page_address(pfn_to_page(pte_pfn(*pte)));
        }
        struct fault_result r;
        handle_mm_fault(mm, addr, write ? FAULT_FLAG_WRITE : 0, &r);
        if (fault_is_error(r.kind))
            return NULL;
    }
    return NULL;
}

typedef void (*chunk_fn)(unsigned char *user, size_t off, size_t n, void *arg);

/* Walk [addr, addr + n) a page at a time; returns the bytes not reached. */
static size_t for_each_user_chunk(struct mm_struct *mm, unsigned long addr, size_t n, bool write,
                                  chunk_fn fn, void *arg)
{
    size_t done = 0;
    while (done < n) {
        unsigned long a = addr + done;
        if (a < addr)
            break; /* wrapped around the address space */
        size_t in_page = PAGE_SIZE - (a & ~PAGE_MASK);
        size_t len = n - done < in_page ? n - done : in_page;
        unsigned char *page = user_page(mm, a, write);
        if (!page)
            break;
        if (write) /* the kernel's store: the CPU's own checks never see it */
            arch_frames_changing(page_to_pfn(virt_to_page(page)), 1);
        fn(page + (a & ~PAGE_MASK), done, len, arg);
        done += len;
    }
    return n - done;
}

static void chunk_to_user(unsigned char *user, size_t off, size_t n, void *arg)
{
    memcpy(user, (const unsigned char *)arg + off, n);
}

static void chunk_from_user(unsigned char *user, size_t off, size_t n, void *arg)
{
    memcpy((unsigned char *)arg + off, user, n);
}

static void chunk_clear(unsigned char *user, size_t off, size_t n, void *arg)
{
    (void)off, (void)arg;
    memset(user, 0, n);
}

size_t copy_to_user(struct mm_struct *mm, unsigned long to, const void *from, size_t n)
{
    return for_each_user_chunk(mm, to, n, true, chunk_to_user, (void *)from);
}

size_t copy_from_user(struct mm_struct *mm, void *to, unsigned long from, size_t n)
{
    return for_each_user_chunk(mm, from, n, false, chunk_from_user, to);
}

size_t clear_user(struct mm_struct *mm, unsigned long to, size_t n)
{
    return for_each_user_chunk(mm, to, n, true, chunk_clear, NULL);
}

long strncpy_from_user(struct mm_struct *mm, char *dst, unsigned long src, long count)
{
    long i = 0;
    while (i < count) {
        unsigned long a = src + (unsigned long)i;
        unsigned char *page = user_page(mm, a, false);
        if (!page)
            return -EFAULT;
        size_t in_page = PAGE_SIZE - (a & ~PAGE_MASK);
        const char *s = (const char *)page + (a & ~PAGE_MASK);
        for (size_t k = 0; k < in_page && i < count; k++, i++) {
            dst[i] = s[k];
            if (!s[k])
                return i;
        }
    }
    return count;
}

long copy_from_user_nofault(struct mm_struct *mm, void *dst, unsigned long src, size_t n)
{
    unsigned char *out = dst;
    while (n > 0) {
        pte_t *pte = src < TASK_SIZE ? pte_offset(mm, src) : NULL;
        if (!pte || !pte_accessible(*pte))
            return -EFAULT;
        size_t off = src & ~PAGE_MASK;
        size_t len = PAGE_SIZE - off < n ? PAGE_SIZE - off : n;
        memcpy(out, (unsigned char *)page_address(pfn_to_page(pte_pfn(*pte))) + off, len);
        out += len;
        src += len;
        n -= len;
    }
    return 0;
}
