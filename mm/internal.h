/*
 * What mm/ files need from each other and nothing outside mm/ may use
 * (Linux's mm/internal.h): VMA objects and the tree under them, the
 * fault-side helpers, the page cache's own bookkeeping, the file reverse
 * map, the LRU lists, the commit, and the slab caches of mm's objects.
 * emu/ and loader/ use the public headers only; a test in the suite checks
 * that none of them includes this one.
 */
#ifndef VMEMU_MM_INTERNAL_H
#define VMEMU_MM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "fs.h"
#include "mm_types.h"
#include "mmzone.h"
#include "pgtable.h"

struct kmem_cache;
struct stat;

/* ---- the slab caches of mm's objects (caches.c), created by mm_init ---- */

extern struct kmem_cache *mm_cachep;              /* "mm_struct" */
extern struct kmem_cache *vm_area_cachep;         /* "vm_area_struct" */
extern struct kmem_cache *anon_vma_cachep;        /* "anon_vma" */
extern struct kmem_cache *anon_vma_chain_cachep;  /* "anon_vma_chain" */
extern struct kmem_cache *filp_cachep;            /* "filp": struct file */
extern struct kmem_cache *address_space_cachep;   /* "address_space": one per host file */
extern struct kmem_cache *radix_tree_node_cachep; /* "radix_tree_node": page-cache index nodes */

/* Create every cache above; 0, or -ENOMEM with none of them left behind. */
int mm_caches_init(void);
/* Destroy them; objects still allocated are reported by the slab allocator. */
void mm_caches_exit(void);

/* ---- VMA objects and the mm's tree of them (vma.c) ---- */

#define DEFAULT_MAX_MAP_COUNT 65530 /* vm.max_map_count */

/* A blank VMA of mm, or NULL. */
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
/*
 * A copy of orig for the same or another mm: range, flags, file (a
 * reference taken) and name, but no anon_vma links and no tree linkage
 * (Linux's vm_area_dup). NULL when out of memory.
 */
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig);
/* Free a VMA not in any tree: its anon_vma links and its file reference go too. */
void vm_area_free(struct vm_area_struct *vma);

/*
 * Make room in mm's tree for the next `inserts` insertions (Linux's
 * vma_iter_prealloc): after it returns 0 they cannot fail for lack of
 * memory, so an operation changes the tree only once it cannot be left
 * half done. -ENOMEM with nothing changed.
 */
int vma_prealloc(struct mm_struct *mm, unsigned int inserts);
/* Give back what a preallocation did not use (Linux's vma_iter_free). */
void vma_prealloc_done(struct mm_struct *mm);

/*
 * Attach vma to mm: the tree, map_count, total_vm and friends, and the
 * file's i_mmap. 0, or -ENOMEM / -EEXIST with nothing changed.
 */
int vma_link(struct mm_struct *mm, struct vm_area_struct *vma);
/* Detach it again (it is not freed). */
void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma);
/*
 * Change a linked VMA's range to [start, end) with offset pgoff; the new
 * range must not meet another VMA. 0, or -ENOMEM with nothing changed.
 */
int vma_set_range(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long start,
                  unsigned long end, unsigned long pgoff);

/*
 * Split vma at addr: vma keeps [vm_start, addr), the new VMA returned gets
 * the rest. NULL and *err (-ENOMEM; -EINVAL for a special mapping, which
 * is never split) with nothing changed.
 */
struct vm_area_struct *split_vma(struct mm_struct *mm, struct vm_area_struct *vma,
                                 unsigned long addr, int *err);
/*
 * Merge vma with its neighbours where Linux would; returns the VMA that
 * remains (vma itself when nothing merged, out of memory included).
 */
struct vm_area_struct *vma_merge_neighbours(struct mm_struct *mm, struct vm_area_struct *vma);
/*
 * Give [start, end) of vma the flags newflags: split it there, change it,
 * and merge it with its neighbours where Linux would. Returns the VMA now
 * holding the range, or NULL with *err set (a split already made stays,
 * as in Linux: the mapping is the same, only cut in two).
 */
struct vm_area_struct *vma_modify_flags(struct mm_struct *mm, struct vm_area_struct *vma,
                                        unsigned long start, unsigned long end,
                                        unsigned long newflags, int *err);

struct vm_area_struct *vma_prev(struct mm_struct *mm, struct vm_area_struct *vma);
/* The lowest address a gap below vma may reach: stacks keep a guard gap. */
unsigned long vm_start_gap(const struct vm_area_struct *vma);

/* Tell the mm's observer, if any, what happened to a VMA. */
static inline void vma_notify(struct mm_struct *mm, enum vma_event ev,
                              const struct vm_area_struct *vma)
{
    if (mm->observer && mm->observer->vma)
        mm->observer->vma(mm->observer->ctx, ev, vma);
}

/* Linux's vm_stat_account: total_vm, exec_vm, stack_vm and data_vm. */
void vm_stat_account(struct mm_struct *mm, unsigned long flags, long npages);

/* The file page index addr falls on in vma (Linux's linear_page_index). */
static inline pgoff_t linear_page_index(const struct vm_area_struct *vma, unsigned long addr)
{
    return vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
}

/*
 * Linux's map_deny_write_exec: under PR_SET_MDWE, a VMA going from old to
 * new flags may not become writable and executable, nor executable when
 * it was not (a new mapping passes its flags as both).
 */
static inline bool map_deny_write_exec(const struct mm_struct *mm, unsigned long old,
                                       unsigned long new)
{
    if (!(mm->flags & (1UL << MMF_HAS_MDWE)) || !(new &VM_EXEC))
        return false;
    return (new &VM_WRITE) || !(old & VM_EXEC);
}

/*
 * MADV_POPULATE_READ/WRITE (gup.c): fault [start, end) in for reading or
 * writing as get_user_pages would; 0, -ENOMEM (a hole, or no memory),
 * -EINVAL (a VMA the access is not allowed in), -EFAULT (SIGBUS or
 * SIGSEGV: past the file's end, a guard marker).
 */
int madvise_populate(struct mm_struct *mm, unsigned long start, unsigned long end, bool write);

/* ---- limits (mmap.c, mlock.c) ---- */

/*
 * Linux's may_expand_vm: may npages more of a VMA with these flags be
 * mapped within RLIMIT_AS, and, for data (private writable, not stack),
 * within RLIMIT_DATA?
 */
bool may_expand_vm(const struct mm_struct *mm, unsigned long vm_flags, unsigned long npages);
/* Linux's can_do_mlock: a non-zero RLIMIT_MEMLOCK, or CAP_IPC_LOCK. */
bool can_do_mlock(const struct mm_struct *mm);
/* Linux's mlock_future_ok: may bytes more be locked (when vm_flags says VM_LOCKED)? */
bool mlock_future_ok(const struct mm_struct *mm, unsigned long vm_flags, unsigned long bytes);

/* ---- KSM's flags (ksm.c) ---- */

/* May KSM merge a VMA with these flags (Linux's vma_ksm_compatible)? */
bool vma_ksm_compatible(unsigned long vm_flags);
/* The flags a new VMA of mm gets: VM_MERGEABLE too under PR_SET_MEMORY_MERGE. */
unsigned long ksm_vma_flags(const struct mm_struct *mm, unsigned long vm_flags);

/* ---- names of anonymous VMAs (anon_name.c) ---- */

/* Another VMA holds the name (NULL passes through); the last put frees it. */
struct anon_vma_name *anon_vma_name_get(struct anon_vma_name *name);
void anon_vma_name_put(struct anon_vma_name *name);
/* Same text (or both unnamed): only then may two VMAs merge. */
bool anon_vma_name_eq(const struct anon_vma_name *a, const struct anon_vma_name *b);

/* ---- sealing (mseal.c) ---- */

static inline bool vma_is_sealed(const struct vm_area_struct *vma)
{
    return vma->vm_flags & VM_SEALED;
}
/* Does any VMA meeting [start, end) carry VM_SEALED (munmap and friends then refuse)? */
bool range_has_sealed_vma(struct mm_struct *mm, unsigned long start, unsigned long end);
/* Does sealing forbid this madvise advice on vma (discarding a sealed read-only anonymous VMA)? */
bool madvise_sealed_refuses(const struct vm_area_struct *vma, int advice);

/* ---- the commit (commit.c) ---- */

/* May pages more be charged? (Linux's heuristic overcommit refuses one request larger than RAM.) */
bool vm_enough_memory(long pages);
void vm_acct_memory(long pages);
void vm_unacct_memory(long pages);

/* ---- entries and faults (memory.c) ---- */

/*
 * Clear the entries of [start, end) in vma, dropping what each held;
 * true if the TLB must then be flushed: some page was mapped and the CPU
 * may hold its translation (arch_tlb_may_hold). Guard markers go too
 * (munmap, exit), or stay (MADV_DONTNEED, truncation).
 */
bool zap_page_range(struct vm_area_struct *vma, unsigned long start, unsigned long end);
bool zap_page_range_keep_markers(struct vm_area_struct *vma, unsigned long start,
                                 unsigned long end);
/* The same for the entries mapping the file's own pages only: private copies stay. */
bool zap_file_pages(struct vm_area_struct *vma, unsigned long start, unsigned long end);
/*
 * Apply vma's (new) vm_flags to its entries in [start, end); true if an
 * entry the CPU may hold lost rights (the TLB must then be flushed).
 */
bool change_protection(struct vm_area_struct *vma, unsigned long start, unsigned long end);
/* Linux's can_change_pte_writable: may this entry of a writable VMA be made writable now? */
bool can_change_pte_writable(struct vm_area_struct *vma, unsigned long addr, pte_t pte);
/* Grow a VM_GROWSDOWN vma down to addr; 0 or -ENOMEM. */
int expand_stack(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long addr);
/* Unmap and free every VMA, page and table of mm (Linux's exit_mmap). */
void exit_mmap(struct mm_struct *mm);
/* Every mm in turn, oldest first: next_mm(NULL) is the first; NULL after the last. */
struct mm_struct *next_mm(struct mm_struct *prev);
/* Forget every mm (mm_init: those of an earlier boot went with its RAM). */
void mmlist_reset(void);
/* Which rss counter a mapped page of this file counts in: shmem or file. */
static inline enum mm_counter mm_counter_file(const struct page *page)
{
    return PageFlag(page, PG_shmem) ? MM_SHMEMPAGES : MM_FILEPAGES;
}
static inline void update_hiwater_rss(struct mm_struct *mm)
{
    unsigned long rss = get_mm_rss(mm);
    if (rss > mm->hiwater_rss)
        mm->hiwater_rss = rss;
}

/* ---- the page cache's own bookkeeping (filemap.c, page-writeback.c, truncate.c) ---- */

/* Cache mode, from mm_init: true when file pages start uncached (see struct mm_settings). */
extern bool filemap_cold;
/* Every address_space of a host file, for writeback and drop_caches (shmem ones are not here). */
extern struct list_head address_spaces;
extern const struct pagecache_observer *pagecache_observer;
struct pagecache_event;
void pagecache_notify(const struct pagecache_event *ev);

/* The address_space of the host file fd (stat st), shared by every open of it; NULL and *err. */
struct address_space *address_space_get(const struct stat *st, int fd, const char *path, int flags,
                                        int *err);
/* An open of the file went; a shmem object's last one frees it and its pages. */
void address_space_put(struct address_space *as);
/* Put a new, uptodate page into the cache at index; 0 or -ENOMEM. */
int add_to_page_cache(struct address_space *as, struct page *page, pgoff_t index);
/*
 * What a memfd's seals refuse (memfd.c): a write of len bytes at pos, a
 * new size, a mapping with these vm_flags (which may lose VM_MAYWRITE);
 * 0 or -EPERM.
 */
int memfd_check_write(const struct address_space *as, uint64_t pos, size_t len);
int memfd_check_size(const struct address_space *as, uint64_t size);
int memfd_check_mmap(const struct address_space *as, unsigned long *vm_flags);
/* memfd_secret's rules for a mapping of len bytes (secretmem.c); sets its flags. */
int secretmem_check_mmap(struct mm_struct *mm, unsigned long len, unsigned long *vm_flags);
/* May a secretmem object's size be set (only while it is 0)? 0 or -EINVAL. */
int secretmem_setattr_size(const struct address_space *as);
/* A shmem object's page at index: the cached one or a new zeroed one; NULL and *err. */
struct page *shmem_get_page(struct address_space *as, pgoff_t index, bool *created, int *err);
/* Every page leaves the cache (shmem release, exit). */
void truncate_inode_pages(struct address_space *as);
/* Every page (and shadow entry) of [start, end) leaves the cache; returns the pages. */
unsigned long truncate_inode_pages_range(struct address_space *as, pgoff_t start, pgoff_t end);
/* Zero bytes [from, to) of the cached page at index, if there is one (the CPU's code of it goes).
 */
void zero_cached_range(struct address_space *as, pgoff_t index, size_t from, size_t to);
/* Write back, then free every cached page and address_space (mm_exit, the leak check). */
void filemap_exit(void);
/* Only the write-back, and a line for each page it could not save (mm_exit_fast). */
void filemap_writeback_at_exit(void);

/* A dirty page leaves the cache or becomes clean: uncount and untag it. */
void account_page_cleaned(struct page *page);
/* The page's dirty flag for writing it: collect the mappings' dirty bits, then clear it. */
bool clear_page_dirty_for_io(struct page *page, bool *all_mappings_seen);
/*
 * The file grows from old to new bytes: the part of the old last page past
 * old may hold what a shared mapping wrote beyond EOF, which must not
 * become file data (Linux zeroes it the same way).
 */
void pagecache_isize_extended(struct address_space *as, uint64_t old, uint64_t new);
/* Drop the clean, unmapped pages of [start, end); returns how many went. */
unsigned long invalidate_mapping_pages(struct address_space *as, pgoff_t start, pgoff_t end);

/* ---- the file reverse map (rmap.c) ---- */

/* vma joins / leaves its file's i_mmap list (vma_link and vma_unlink do it). */
void vma_link_file(struct vm_area_struct *vma);
void vma_unlink_file(struct vm_area_struct *vma);
/*
 * Linux's page_mkclean: every shared entry mapping the page loses its dirty
 * bit (moved into the page's flag) and its write right, so the next write
 * faults and dirties the page again. Returns whether every mapping of the
 * page was found (page->mapcount of them); if not, the page must be
 * treated as possibly written behind vmemu's back.
 */
bool page_mkclean(struct page *page);
/*
 * Zap every entry of every mm mapping file pages [start, end) of as, and
 * the private copies made of them (Linux's unmap_mapping_range with
 * even_cows): a later touch faults, beyond EOF that is SIGBUS.
 */
void unmap_mapping_range(struct address_space *as, pgoff_t start, pgoff_t end);
/* The same without even_cows: the private copies made of those pages stay (a hole punched). */
void unmap_mapping_pages(struct address_space *as, pgoff_t start, pgoff_t end);

/* ---- checking (debug.c) ---- */

/* What validate_mm found broken. */
enum mm_invalid {
    MM_BAD_TREE = -1,            /* the VMA tree's own invariants */
    MM_BAD_PREALLOC = -2,        /* a preallocation never given back */
    MM_BAD_VMA_MM = -3,          /* a VMA of another mm */
    MM_BAD_ANON_VMA = -4,        /* anon_vma not among the VMA's families */
    MM_BAD_I_MMAP = -5,          /* a file VMA missing from its i_mmap */
    MM_BAD_PAGE_COUNT = -6,      /* a mapped page with no map count or too few references */
    MM_BAD_ANON_RMAP = -7,       /* an anonymous page its VMA's families do not lead to */
    MM_BAD_SHARED_WRITABLE = -8, /* a writable entry of a page not exclusive to it */
    MM_BAD_FILE_RMAP = -9,       /* a file page of another file */
    MM_BAD_MAP_COUNT = -10,      /* map_count is not the number of VMAs */
    MM_BAD_VM_COUNTERS = -11,    /* total_vm or locked_vm is not the VMAs' sum */
    MM_BAD_RSS = -12,            /* an rss counter is not the entries' count */
    MM_BAD_STRAY_ENTRY = -13,    /* an entry where no VMA is */
    MM_BAD_SWAP_ENTRY = -14,     /* a swap entry naming a free slot */
};
/*
 * Check every invariant of mm the slow way (Linux's validate_mm): the
 * tree, the counters against the VMAs and the entries, and that every
 * mapped page is reachable through the reverse map. 0 or an mm_invalid.
 */
int validate_mm(struct mm_struct *mm);

/* ---- the LRU lists (lru.c) ---- */

enum lru_list {
    LRU_INACTIVE_ANON,
    LRU_ACTIVE_ANON,
    LRU_INACTIVE_FILE,
    LRU_ACTIVE_FILE,
    LRU_UNEVICTABLE,
    NR_LRU_LISTS
};
#define LRU_ACTIVE 1
#define LRU_FILE 2

/* The lists of the one node (Linux's lruvec) and what reclaim keeps beside them. */
struct lruvec {
    struct list_head lists[NR_LRU_LISTS];
    unsigned long nr[NR_LRU_LISTS];
    unsigned long zone_nr[MAX_NR_ZONES][NR_LRU_LISTS];
    /* What reclaiming each type has cost lately (lru_note_cost): get_scan_count's balance. */
    unsigned long anon_cost, file_cost;
    /* The workingset clock: evictions and activations so far (workingset.c). */
    unsigned long nonresident_age;
    /* WORKINGSET_ACTIVATE_{ANON,FILE} when reclaim last looked (Linux's lruvec->refaults). */
    unsigned long refaults[2];
};
extern struct lruvec node_lruvec;

/* File pages are those not backed by swap: page cache, and lazily freeable anonymous pages. */
static inline bool page_is_file_lru(const struct page *page)
{
    return !PageFlag(page, PG_swapbacked);
}
/* The list the page belongs on (Linux's folio_lru_list). */
static inline enum lru_list page_lru(const struct page *page)
{
    if (PageFlag(page, PG_unevictable))
        return LRU_UNEVICTABLE;
    return (enum lru_list)((page_is_file_lru(page) ? LRU_FILE : 0) +
                           (PageFlag(page, PG_active) ? LRU_ACTIVE : 0));
}
static inline bool is_file_lru(enum lru_list lru)
{
    return lru == LRU_INACTIVE_FILE || lru == LRU_ACTIVE_FILE;
}
static inline bool is_active_lru(enum lru_list lru)
{
    return lru == LRU_ACTIVE_ANON || lru == LRU_ACTIVE_FILE;
}

/* Empty lists (mm_init). */
void lru_init(void);
unsigned long lru_pages(enum lru_list lru);
/* A new page enters the head of its inactive list (the unevictable one when mlocked). */
void lru_cache_add(struct page *page);
/* A new anonymous page of vma: mlocked first when vma is VM_LOCKED. */
void lru_cache_add_inactive_or_unevictable(struct page *page, struct vm_area_struct *vma);
/* A page leaves its list for good (out of the cache): off it, the LRU flags cleared. */
void lru_cache_del(struct page *page);
/* The page's last reference went (page_alloc.c): off its list, mlock forgotten. */
void lru_page_release(struct page *page);
/* read()/write() used the page: referenced once, active the second time. */
void mark_page_accessed(struct page *page);
/* Inactive to active (pgactivate), as Linux's folio_activate. */
void activate_page(struct page *page);
/* Active to inactive, referenced cleared (MADV_COLD; pgdeactivate). */
void deactivate_page(struct page *page);
/* MADV_FREE: an exclusive anonymous page becomes lazily freeable, on the inactive file list. */
void mark_page_lazyfree(struct page *page);
/* Take the page off its list for reclaim, with a reference; false when not on one. */
bool isolate_lru_page(struct page *page);
/* Put an isolated page back where its flags say (at the tail if asked) and drop the reference. */
void putback_lru_page(struct page *page, bool tail);
/* Reclaiming pages of this type cost this much (I/O, rotations): get_scan_count's balance. */
void lru_note_cost(bool file, unsigned long cost);

/* ---- mlock (mlock.c) ---- */

/* A VM_LOCKED mapping has the page: PG_mlocked, onto the unevictable list. */
void mlock_page(struct page *page);
/* A VM_LOCKED mapping let go of it: back to the evictable lists unless another holds it. */
void munlock_page(struct page *page);

/* ---- the swap area (swapfile.c) and the swap cache (swap_state.c) ---- */

#define SWAP_HAS_CACHE 0x8000  /* a slot's count: the swap cache holds a page for it */
#define SWAP_MAP_MAX 0x7ffe    /* the most references a slot may count */
#define SWAP_CLUSTER_DEFAULT 3 /* vm.page-cluster: swap-in reads 2^3 slots */

extern unsigned int page_cluster;  /* vm.page-cluster (swap.h) */
extern unsigned int vm_swappiness; /* vm.swappiness (swap.h) */

/* Is the slot in use? */
bool swap_entry_valid(swp_entry_t entry);
/* A free slot for a page entering the swap cache (SWAP_HAS_CACHE set); val 0 when full or off. */
swp_entry_t get_swap_page(void);
/* The swap cache let go of the slot: SWAP_HAS_CACHE cleared, the slot freed if unreferenced. */
void put_swap_page(swp_entry_t entry);
/* Claim the slot for the swap cache before reading it: 0, -EEXIST (cached), -ENOENT (free). */
int swapcache_prepare(swp_entry_t entry);
/* One more entry names the slot (fork, unmap); 0, -ENOENT, or -ENOMEM at SWAP_MAP_MAX. */
int swap_duplicate(swp_entry_t entry);
/* One entry fewer names the slot; the last frees it. */
void swap_free(swp_entry_t entry);
/* The same for an entry being zapped: a cached page nobody uses goes with the slot. */
void free_swap_and_cache(swp_entry_t entry);
/* Entries naming the slot (the swap cache's hold not counted). */
unsigned long __swap_count(swp_entry_t entry);
/* More than half the area is used (Linux's vm_swap_full): keep no clean copies in the cache. */
bool vm_swap_full(void);
/* Slots of the area, the header's included. */
unsigned long swap_area_slots(void);
/* Write the page to its slot / read a slot into a page; 0 or -errno (counted in pswpout/in). */
int swap_writepage(struct page *page);
int swap_readpage(struct page *page, swp_entry_t entry);

void swap_cache_init(void);
/* Pages in the swap cache (SwapCached). */
unsigned long total_swapcache_pages(void);
/* Put page into the swap cache for entry (a reference taken); *shadow: what was there. */
int add_to_swap_cache(struct page *page, swp_entry_t entry, void **shadow);
/* Take it out, leaving shadow (or nothing) in its place; the cache's reference and SWAP_HAS_CACHE
 * go. */
void delete_from_swap_cache(struct page *page, void *shadow);
/* The slot was freed: its shadow, if any, goes. */
void swap_cache_forget(swp_entry_t entry);
/* A slot for an anonymous page that reclaim will swap out; false when swap is full or off. */
bool add_to_swap(struct page *page);
/* No entry names the page's slot any more: leave the swap cache (the page becomes dirty). */
bool try_to_free_swap(struct page *page);
/* The last entry naming the slot went: its cached page goes if nobody maps or holds it. */
void try_to_reclaim_swap(swp_entry_t entry);
/* The cached page of the slot with a reference, or NULL (and *shadow, if asked, its shadow). */
struct page *lookup_swap_cache(swp_entry_t entry, void **shadow);
/*
 * The page for a swap-in fault on entry, with a reference: read into the
 * swap cache, with the slots around it (*ra_pages of them read ahead).
 * NULL and *err (-ENOMEM, -EIO, -ENOENT) when it cannot be had.
 */
struct page *swapin_readahead(swp_entry_t entry, unsigned long *ra_pages, int *err);
/* Is the slot's page in the swap cache (mincore)? */
unsigned char swap_page_cached(swp_entry_t entry);
/* Drop every unused page and shadow of the swap cache (the leak check, exit). */
void swap_cache_drop_all(void);

/* ---- workingset detection (workingset.c) ---- */

/* The workingset clock moves on: pages were evicted or activated. */
void workingset_age_nonresident(unsigned long pages);
/* The page is being evicted: the shadow entry to leave in its place. */
void *workingset_eviction(struct page *page);
/* A new page for an index or slot that held shadow: activate it if it refaulted soon enough. */
void workingset_refault(struct page *page, void *shadow);
/* Would a page evicted with shadow be activated if it came back now? (cachestat's "recently") */
bool workingset_test_recent(void *shadow, bool file);
/* WORKINGSET_ACTIVATE_FILE or _ANON so far. */
unsigned long workingset_activations(bool file);

/* ---- reclaim (vmscan.c) and the OOM killer (oom_kill.c) ---- */

struct reclaim_event;
/* Tell the reclaim observer, if any. */
void reclaim_notify(const struct reclaim_event *ev);

#define SWAP_CLUSTER_MAX 32UL
#define DEF_PRIORITY 12
#define MAX_RECLAIM_RETRIES 16

/* A reclaim pass is running: its own allocations ignore the watermarks and never reclaim. */
extern bool in_reclaim;
/* Direct reclaim for an allocation of gfp and order that found no free page: pages reclaimed. */
unsigned long try_to_free_pages(gfp_t gfp, unsigned int order);
/* Zones are low: kswapd should run (arch_wake_kswapd). */
void wakeup_kswapd(void);
/*
 * Reclaim an isolated list of pages now, whatever their references say
 * (MADV_PAGEOUT, Linux's reclaim_pages): pages reclaimed; the others go
 * back to their lists.
 */
unsigned long reclaim_pages(struct list_head *pages);
/*
 * Out of memory: kill the process Linux's badness picks. True when the
 * allocation may be tried again (another process was killed and its
 * memory taken back), false when it must fail (the caller's own process
 * is dying, or nothing could be killed).
 */
bool out_of_memory(gfp_t gfp, unsigned int order);

#endif
