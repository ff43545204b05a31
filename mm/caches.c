/*
 * Creating and destroying the caches of mm/'s kernel objects: address
 * spaces, VMAs, anon_vma families and their links, open files and
 * page-cache owners. Linux creates these at boot in proc_caches_init(),
 * anon_vma_init() and vfs_caches_init(); mm_init() creates them here,
 * right after the slab allocator itself comes up. Every object vmemu keeps
 * for a guest lives in guest RAM through these caches, so Slab in
 * /proc/meminfo counts them and a leak shows up as frames that never
 * return to the buddy allocator.
 */
#include <errno.h>
#include <stddef.h>

#include "array_size.h"
#include "internal.h"
#include "rmap.h"
#include "slab.h"
#include "vma_tree.h"
#include "xarray.h"

struct kmem_cache *mm_cachep;
struct kmem_cache *vm_area_cachep;
struct kmem_cache *anon_vma_cachep;
struct kmem_cache *anon_vma_chain_cachep;
struct kmem_cache *filp_cachep;
struct kmem_cache *address_space_cachep;
struct kmem_cache *radix_tree_node_cachep;

struct cache_spec {
    struct kmem_cache **cachep;
    const char *name;
    unsigned int size;
    unsigned long flags;
};

/*
 * Flags as Linux gives its counterparts: mm_struct and filp are cache-line
 * aligned. None is reclaim-accounted: vmemu has no shrinker that could give
 * any of them back under memory pressure, so SReclaimable would be a lie.
 */
static const struct cache_spec specs[] = {
    {&mm_cachep, "mm_struct", sizeof(struct mm_struct), SLAB_HWCACHE_ALIGN},
    {&vm_area_cachep, "vm_area_struct", sizeof(struct vm_area_struct), 0},
    {&anon_vma_cachep, "anon_vma", sizeof(struct anon_vma), 0},
    {&anon_vma_chain_cachep, "anon_vma_chain", sizeof(struct anon_vma_chain), 0},
    {&filp_cachep, "filp", sizeof(struct file), SLAB_HWCACHE_ALIGN},
    {&address_space_cachep, "address_space", sizeof(struct address_space), 0},
    {&radix_tree_node_cachep, "radix_tree_node", sizeof(struct xa_node), 0},
};
#define NR_SPECS ARRAY_SIZE(specs)

void mm_caches_exit(void)
{
    maple_tree_exit();
    for (size_t i = NR_SPECS; i-- > 0;) {
        kmem_cache_destroy(*specs[i].cachep);
        *specs[i].cachep = NULL;
    }
}

int mm_caches_init(void)
{
    for (size_t i = 0; i < NR_SPECS; i++) {
        *specs[i].cachep = kmem_cache_create(specs[i].name, specs[i].size, 0, specs[i].flags, NULL);
        if (!*specs[i].cachep) {
            mm_caches_exit();
            return -ENOMEM;
        }
    }
    if (maple_tree_init() != 0) {
        mm_caches_exit();
        return -ENOMEM;
    }
    return 0;
}
