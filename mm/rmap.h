/*
 * Reverse mapping: from a page to every PTE, in every mm, that maps it.
 *
 * A file page is found through its address_space's i_mmap, the list of
 * VMAs mapping the file. An anonymous page is found through its anon_vma,
 * as in Linux: each VMA with anonymous pages has an anon_vma, the family
 * its new pages join (page->anon_vma, with page->index its linear index),
 * and a list of anon_vma_chain links, one per family whose pages it may
 * map. A child VMA made by fork links to every family its parent VMA is
 * in and gets a family of its own for the pages it copies, so a page
 * shared since a fork is found in parent and child alike, and a page
 * copied later only where it can be.
 *
 * Invariants: vma->anon_vma, when set, is among the families on
 * vma->anon_vma_chain; an anon_vma lives while some link points to it
 * (the last unlink frees it); a mapped anonymous page's anon_vma is one
 * of the families of every VMA that maps it.
 */
#ifndef VMEMU_MM_RMAP_H
#define VMEMU_MM_RMAP_H

#include <stdbool.h>

#include "list.h"
#include "mm_types.h"
#include "pgtable.h"

struct anon_vma {
    struct list_head head; /* its links (anon_vma_chain.same_anon_vma): the VMAs that may map it */
    /*
     * The oldest family of its line (itself for a family no fork made):
     * every VMA that may map a page of this family is in the root's too,
     * so a page that several processes may map joins the root (Linux's
     * anon_vma->root). Alive while any family of the line is.
     */
    struct anon_vma *root;
};

/* One VMA's membership in one family (Linux's anon_vma_chain). */
struct anon_vma_chain {
    struct vm_area_struct *vma;
    struct anon_vma *anon_vma;
    struct list_head same_vma;      /* on vma->anon_vma_chain */
    struct list_head same_anon_vma; /* on anon_vma->head */
};

/*
 * Give vma a family before its first anonymous page: a neighbour's, when
 * Linux would share it so the two can merge later, else a new one.
 * 0 or -ENOMEM.
 */
int anon_vma_prepare(struct vm_area_struct *vma);
/*
 * dst joins every family src is in and shares src's own (split, mremap,
 * a merge that takes over src's pages). 0, or -ENOMEM with dst unchanged.
 */
int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src);
/*
 * fork: the child's vma joins every family of the parent's pvma and gets
 * a family of its own. 0, or -ENOMEM with vma unchanged.
 */
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma);
/* vma leaves all its families; a family left with no VMA is freed. */
void unlink_anon_vmas(struct vm_area_struct *vma);

/*
 * A new anonymous page, mapped once at addr in vma (which has its
 * anon_vma): it joins vma's family, exclusive to vma (Linux's
 * folio_add_new_anon_rmap).
 */
void page_add_new_anon_rmap(struct page *page, struct vm_area_struct *vma, unsigned long addr);
/*
 * A page swapped in (or found in the swap cache) is mapped at addr of vma:
 * it joins vma's family when exclusive to it, else the oldest family of
 * vma's line, which every process that may share it can reach (Linux's
 * __folio_set_anon); the map count goes up.
 */
void page_add_anon_rmap(struct page *page, struct vm_area_struct *vma, unsigned long addr,
                        bool exclusive);
/* A page reused for a write becomes the family of vma's own (folio_move_anon_rmap). */
void page_move_anon_rmap(struct page *page, struct vm_area_struct *vma);
/*
 * Where page (index page->index) sits in vma, or -EFAULT cast to unsigned
 * long when vma does not span that index (Linux's vma_address).
 */
unsigned long vma_address(const struct page *page, const struct vm_area_struct *vma);

/*
 * A reverse-map walk (Linux's rmap_walk_control): rmap_one is called for
 * every present entry that maps the page, with the VMA, the address and
 * the entry; returning false stops the walk.
 *
 * Preconditions: no other mm/ call is in progress; rmap_one may change or
 * clear the entry it is given (then it must flush that VMA's mm's TLB and
 * fix the page's counts as zap does) but must not add or remove VMAs.
 */
struct rmap_walk_control {
    void *arg;
    bool (*rmap_one)(struct page *page, struct vm_area_struct *vma, unsigned long addr, pte_t *pte,
                     void *arg);
};
/* Every mapping of an anonymous page, through its anon_vma. */
void rmap_walk_anon(struct page *page, struct rmap_walk_control *rwc);
/* Every mapping of a page-cache or shmem page, through its file's i_mmap. */
void rmap_walk_file(struct page *page, struct rmap_walk_control *rwc);
/* Either, as the page is. */
void rmap_walk(struct page *page, struct rmap_walk_control *rwc);

/*
 * Linux's folio_referenced: clear the accessed bit of every entry mapping
 * the page (flushing the TLB of the mm the CPU walks, so that a use from
 * now on sets it again), and count those that had it, plus PG_young (a
 * bit access sampling cleared, which it cleared too). *vm_flags gets the
 * flags of the VMAs that had used it, and VM_LOCKED if a locked VMA maps it
 * (the walk stops there).
 */
int page_referenced(struct page *page, unsigned long *vm_flags);
/*
 * Linux's try_to_unmap, for reclaim: take the page out of every entry
 * mapping it. An anonymous page becomes a swap entry (it must be in the
 * swap cache) that remembers exclusivity; a lazily freeable one is dropped
 * unless it was written again (then it is swap-backed again and stays);
 * a file page's dirty bits move to the page. Stops at a VM_LOCKED mapping
 * (the page is mlocked then). True when no entry maps the page any more.
 */
bool try_to_unmap(struct page *page);
/* Is the page mapped by some VM_LOCKED VMA (other than the ones already unmapped)? */
bool page_mlocked_by_vma(struct page *page);

#endif
