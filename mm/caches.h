/*
 * The slab caches of mm/'s own kernel objects: address spaces, VMAs, open
 * files and page-cache owners. Linux creates these at boot in
 * proc_caches_init() and vfs_caches_init(); mm_init() creates them here,
 * right after the slab allocator itself comes up.
 */
#ifndef VMEMU_MM_CACHES_H
#define VMEMU_MM_CACHES_H

struct kmem_cache;

extern struct kmem_cache *mm_cachep;              /* "mm_struct" */
extern struct kmem_cache *vm_area_cachep;         /* "vm_area_struct" */
extern struct kmem_cache *filp_cachep;            /* "filp": struct file */
extern struct kmem_cache *address_space_cachep;   /* "address_space": one per host file */
extern struct kmem_cache *radix_tree_node_cachep; /* "radix_tree_node": page-cache index nodes */

/* Create every cache above; 0, or -ENOMEM with none of them left behind. */
int mm_caches_init(void);
/* Destroy them; objects still allocated are reported by the slab allocator. */
void mm_caches_exit(void);

#endif
