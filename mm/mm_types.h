/* The address space of a task: mm_struct and its VMAs. */
#ifndef VMEMU_MM_MM_TYPES_H
#define VMEMU_MM_MM_TYPES_H

#include <stdint.h>

#include "list.h"
#include "page.h"

/* vm_flags, with Linux's values so that traces read the same. */
#define VM_NONE 0x00000000UL
#define VM_READ 0x00000001UL
#define VM_WRITE 0x00000002UL
#define VM_EXEC 0x00000004UL
#define VM_SHARED 0x00000008UL
#define VM_MAYREAD 0x00000010UL
#define VM_MAYWRITE 0x00000020UL
#define VM_MAYEXEC 0x00000040UL
#define VM_MAYSHARE 0x00000080UL
#define VM_GROWSDOWN 0x00000100UL
#define VM_PFNMAP 0x00000400UL
#define VM_LOCKED 0x00002000UL
#define VM_IO 0x00004000UL
#define VM_SEQ_READ 0x00008000UL
#define VM_RAND_READ 0x00010000UL
#define VM_DONTCOPY 0x00020000UL
#define VM_DONTEXPAND 0x00040000UL
#define VM_LOCKONFAULT 0x00080000UL
#define VM_ACCOUNT 0x00100000UL
#define VM_NORESERVE 0x00200000UL
#define VM_WIPEONFORK 0x02000000UL
#define VM_DONTDUMP 0x04000000UL
/* New since the last clear_refs 4: all its pages read as soft-dirty (CONFIG_MEM_SOFT_DIRTY). */
#define VM_SOFTDIRTY 0x08000000UL
#define VM_MIXEDMAP 0x10000000UL
#define VM_HUGEPAGE 0x20000000UL
#define VM_NOHUGEPAGE 0x40000000UL
#define VM_MERGEABLE 0x80000000UL
#define VM_DROPPABLE (1UL << 40) /* MAP_DROPPABLE: pages may go under pressure, never to swap */
#define VM_SEALED (1UL << 42)    /* mseal(2): the mapping may not be changed or unmapped */
#define VM_STACK VM_GROWSDOWN
#define VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC)
#define VM_LOCKED_MASK (VM_LOCKED | VM_LOCKONFAULT)
/* Mappings the kernel never merges, expands or mlocks (Linux's VM_SPECIAL). */
#define VM_SPECIAL (VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)

/* Linux x86-64 layout with ASLR off. */
#define TASK_SIZE 0x7ffffffff000UL
#define STACK_TOP TASK_SIZE
#define MMAP_BASE 0x7ffff7fff000UL       /* TASK_SIZE - 128 MiB gap */
#define ELF_ET_DYN_BASE 0x555555554aaaUL /* two thirds of the address space, as x86-64's */
#define STACK_GUARD_GAP (256UL << PAGE_SHIFT)
#define mmap_min_addr 0x10000UL

struct anon_vma;
struct anon_vma_name;
struct file;
struct mm_struct;
struct vma_tree;
struct vma_tree_ops;

/*
 * The frames behind a special mapping (Linux's struct vm_special_mapping):
 * the vDSO's code, [vvar]'s data. Every mm that maps it maps these same
 * frames; they belong to whoever made them (reserved, never freed by a
 * mapping). With VM_PFNMAP on the VMA they are raw frames: no reference,
 * no mapcount, no rss, as Linux's vmf_insert_pfn; otherwise ordinary pages
 * counted as file pages, as Linux counts the vDSO's.
 */
struct vm_special_mapping {
    const char *name;          /* for /proc/PID/maps: "[vdso]" */
    unsigned long nr_pages;    /* the mapping's size in pages */
    unsigned long nr_frames;   /* its first pages that have a frame; a touch beyond is SIGBUS */
    const unsigned long *pfns; /* those frames */
};

struct vm_area_struct {
    unsigned long vm_start; /* first byte */
    unsigned long vm_end;   /* first byte after */
    unsigned long vm_flags;
    unsigned long vm_pgoff; /* offset in the file, in pages */
    struct file *vm_file;   /* NULL for anonymous memory */
    struct mm_struct *vm_mm;
    const char *vm_name; /* special mappings: "[vdso]", "[vvar]"; NULL otherwise */
    const struct vm_special_mapping *vm_special; /* their frames; NULL otherwise */
    struct anon_vma_name *anon_name; /* PR_SET_VMA_ANON_NAME's name (anon_name.c), or NULL */
    /*
     * The reverse map of its anonymous pages (Linux's): anon_vma is the
     * family its own new pages join, NULL until the first one (shared by
     * the pieces of a split; two VMAs with different ones never merge);
     * anon_vma_chain holds one anon_vma_chain link for every family whose
     * pages it may map: its own and, after fork, its ancestors' (rmap.h).
     */
    struct anon_vma *anon_vma;
    struct list_head anon_vma_chain;
    struct list_head
        shared; /* on vm_file->f_mapping->i_mmap while in an mm (Linux's vma->shared) */

    /* Linkage for the augmented rbtree (unused by the other trees). */
    struct vm_area_struct *rb_parent, *rb_left, *rb_right;
    int rb_red;
    unsigned long rb_subtree_gap; /* largest free gap below this subtree */
};

/*
 * The faults the address space took, by kind. Linux keeps min_flt and
 * maj_flt per task (task_struct): every resolved fault is also charged to
 * the task through arch_account_fault(), and these are the mm's totals.
 */
struct fault_stats {
    unsigned long min_flt, maj_flt;
    unsigned long zero_page, cow, fault_around, readahead;
    unsigned long anon_new, file_pages, segv;
};

struct fault_result;

/* What changed in the VMA tree, for whoever watches (tracing). */
enum vma_event { VMA_CREATED, VMA_REMOVED, VMA_SPLIT, VMA_MERGED, VMA_CHANGED };

/*
 * Someone watching an mm: called after every fault handle_mm_fault resolved
 * or refused, and for every VMA created, removed, split, merged or changed.
 * NULL when nobody watches, which costs the fault path one test.
 */
struct mm_observer {
    void (*fault)(void *ctx, unsigned long addr, unsigned int flags, const struct fault_result *r);
    void (*vma)(void *ctx, enum vma_event ev, const struct vm_area_struct *vma);
    void *ctx;
};

/* Linux's rss_stat counters: resident pages by kind, and swap entries (not resident). */
enum mm_counter { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES, NR_MM_COUNTERS };

/*
 * What the process using an mm may map and lock: Linux reads these from the
 * calling task (its rlimits and capabilities); the process kernel keeps
 * them current. Bytes, ~0UL for no limit; mm_alloc starts them unlimited.
 */
struct mm_limits {
    unsigned long memlock;        /* RLIMIT_MEMLOCK */
    unsigned long as;             /* RLIMIT_AS */
    unsigned long data, data_max; /* RLIMIT_DATA, soft and hard */
    bool cap_ipc_lock;            /* CAP_IPC_LOCK: may lock past RLIMIT_MEMLOCK */
};

/* mm->flags (Linux's MMF_*, the bits vmemu keeps). */
#define MMF_HAS_MDWE 28            /* PR_SET_MDWE: no memory becomes writable and executable */
#define MMF_HAS_MDWE_NO_INHERIT 29 /* ... and children and new programs do not inherit it */
#define MMF_VM_MERGE_ANY 30        /* PR_SET_MEMORY_MERGE: every new VMA is VM_MERGEABLE */

struct mm_struct {
    /*
     * Linux's two counts: mm_users, the tasks (threads, vfork parents)
     * using the address space (mmget/mmput: the last user tears it down);
     * mm_count, references to the struct itself (mmgrab/mmdrop), the users
     * together holding one.
     */
    int mm_users;
    int mm_count;
    struct list_head mmlist; /* on the list of every mm (mmap.c): what counts over them all */
    const struct vma_tree_ops *vma_ops;
    struct vma_tree *vma_tree;
    unsigned long map_count;         /* VMAs */
    unsigned int vma_prealloc_depth; /* nested vma_prealloc calls not yet done (vma.c) */

    unsigned long pgd; /* pfn of the top-level page table (PML4) */
    unsigned long pgtables_bytes;

    unsigned long mmap_base;
    unsigned long start_code, end_code, start_data, end_data;
    unsigned long start_brk, brk, start_stack;
    unsigned long arg_start, arg_end, env_start, env_end;

    unsigned long total_vm, locked_vm, data_vm, exec_vm, stack_vm;
    unsigned long rss[NR_MM_COUNTERS];
    unsigned long hiwater_rss, hiwater_vm;

    unsigned long def_flags;    /* vm_flags every new VMA gets: VM_LOCKED after mlockall */
    unsigned long stack_rlimit; /* bytes the stack may grow to */
    struct fault_stats faults;
    const struct mm_observer *observer;
    /*
     * The task holds CAP_SYS_RAWIO: it may map below mmap_min_addr, as
     * Linux allows, down to FIRST_USER_ADDRESS (arch.h).
     */
    bool cap_sys_rawio;
    struct mm_limits limits;
    unsigned long flags; /* MMF_* below */
    /* The OOM killer took its memory back already: never chosen again (Linux's MMF_OOM_SKIP). */
    bool oom_skip;
    /* Protection keys pkey_alloc took (x86's mm->context.pkey_allocation_map; mm/pkeys.c). */
    unsigned short pkey_allocation_map;
};

static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
    return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}

static inline unsigned long get_mm_rss(const struct mm_struct *mm)
{
    return mm->rss[MM_FILEPAGES] + mm->rss[MM_ANONPAGES] + mm->rss[MM_SHMEMPAGES];
}

#endif
