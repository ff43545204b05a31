/*
 * The PROCMAP_QUERY ioctl of /proc/PID/maps (Linux 6.11): one VMA of the
 * process, found by address and filtered by permissions, returned as a
 * binary record instead of a line of text, with its name and, for an ELF
 * file, the GNU build ID.
 *
 * Invariants, as Linux's do_procmap_query:
 * - the argument is an extensible struct: its first field is its size,
 *   which must reach query_addr and not pass a page; a larger struct than
 *   vmemu's is accepted when the extra bytes are zero (E2BIG otherwise);
 *   only min(size, sizeof) bytes are written back;
 * - a buffer address and its size are both given or both zero (EINVAL);
 * - only VMAs of the mm are found: the vsyscall gate area is not one;
 * - the build ID is read from file pages already in the page cache only
 *   (build_id_parse_nofault): none found gives a size of 0, not an error;
 * - nothing is written to the caller before the whole answer is known.
 */
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "emu/fs/procfs.h"
#include "emu/fs/pseudo.h"
#include "emu/kernel/sched.h"
#include "emu/kernel/task.h"
#include "mm/fs.h"
#include "mm/mmap.h"
#include "mm/pagemap.h"
#include "mm/uaccess.h"

/* include/uapi/linux/fs.h, kept here: the build host's headers may predate it. */
struct procmap_query {
    uint64_t size;
    uint64_t query_flags;
    uint64_t query_addr;
    uint64_t vma_start;
    uint64_t vma_end;
    uint64_t vma_flags;
    uint64_t vma_page_size;
    uint64_t vma_offset;
    uint64_t inode;
    uint32_t dev_major;
    uint32_t dev_minor;
    uint32_t vma_name_size;
    uint32_t build_id_size;
    uint64_t vma_name_addr;
    uint64_t build_id_addr;
};

#define PROCMAP_QUERY 0xc0686611U /* _IOWR('f', 17, struct procmap_query) */
#define PROCMAP_QUERY_VMA_READABLE 0x01
#define PROCMAP_QUERY_VMA_WRITABLE 0x02
#define PROCMAP_QUERY_VMA_EXECUTABLE 0x04
#define PROCMAP_QUERY_VMA_SHARED 0x08
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10
#define PROCMAP_QUERY_FILE_BACKED_VMA 0x20
#define PROCMAP_QUERY_VALID_FLAGS 0x3f
#define BUILD_ID_SIZE_MAX 20
#define NT_GNU_BUILD_ID_TYPE 3

_Static_assert(sizeof(struct procmap_query) == 104, "PROCMAP_QUERY's struct is 104 bytes");

/* ---- the build ID, from cached pages of the file ------------------------------------ */

/* Bytes [off, off + n) of the file from its page cache; false if any page is not cached. */
static bool cached_bytes(struct address_space *as, uint64_t off, void *out, size_t n)
{
    unsigned char *dst = out;
    if (off > off + n)
        return false;
    while (n) {
        struct page *page = filemap_find_page(as, off >> PAGE_SHIFT);
        if (!page || !PageFlag(page, PG_uptodate))
            return false;
        size_t in = off & ~PAGE_MASK;
        size_t chunk = PAGE_SIZE - in < n ? PAGE_SIZE - in : n;
        memcpy(dst, (const unsigned char *)page_address(page) + in, chunk);
        dst += chunk;
        off += chunk;
        n -= chunk;
    }
    return true;
}

/* The GNU build ID among the notes [off, off + size) of the file: its length, or 0. */
static uint32_t note_build_id(struct address_space *as, uint64_t off, uint64_t size,
                              unsigned char id[BUILD_ID_SIZE_MAX])
{
    uint64_t pos = 0;
    while (pos + sizeof(Elf64_Nhdr) <= size) {
        Elf64_Nhdr nh;
        char name[4];
        if (!cached_bytes(as, off + pos, &nh, sizeof(nh)))
            return 0;
        uint64_t desc = pos + sizeof(nh) + ((nh.n_namesz + 3ULL) & ~3ULL);
        if (nh.n_type == NT_GNU_BUILD_ID_TYPE && nh.n_namesz == sizeof(name) && nh.n_descsz > 0 &&
            nh.n_descsz <= BUILD_ID_SIZE_MAX && desc + nh.n_descsz <= size &&
            cached_bytes(as, off + pos + sizeof(nh), name, sizeof(name)) &&
            memcmp(name, "GNU", sizeof(name)) == 0)
            return cached_bytes(as, off + desc, id, nh.n_descsz) ? nh.n_descsz : 0;
        pos = desc + ((nh.n_descsz + 3ULL) & ~3ULL);
    }
    return 0;
}

/* Linux's build_id_parse_nofault on the file vma maps: the ID's length, or 0 for none. */
static uint32_t vma_build_id(const struct vm_area_struct *vma, unsigned char id[BUILD_ID_SIZE_MAX])
{
    if (!vma->vm_file || !vma->vm_file->f_mapping)
        return 0;
    struct address_space *as = vma->vm_file->f_mapping;
    Elf64_Ehdr eh;
    if (!cached_bytes(as, 0, &eh, sizeof(eh)) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 || (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) ||
        eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > PAGE_SIZE / sizeof(Elf64_Phdr))
        return 0;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        if (!cached_bytes(as, eh.e_phoff + (uint64_t)i * sizeof(ph), &ph, sizeof(ph)))
            return 0;
        if (ph.p_type != PT_NOTE)
            continue;
        uint32_t n = note_build_id(as, ph.p_offset, ph.p_filesz, id);
        if (n)
            return n;
    }
    return 0;
}

/* ---- finding the VMA ------------------------------------------------------------ */

static bool vma_matches(const struct vm_area_struct *vma, uint64_t flags)
{
    if ((flags & PROCMAP_QUERY_FILE_BACKED_VMA) && !vma->vm_file)
        return false;
    if ((flags & PROCMAP_QUERY_VMA_READABLE) && !(vma->vm_flags & VM_READ))
        return false;
    if ((flags & PROCMAP_QUERY_VMA_WRITABLE) && !(vma->vm_flags & VM_WRITE))
        return false;
    if ((flags & PROCMAP_QUERY_VMA_EXECUTABLE) && !(vma->vm_flags & VM_EXEC))
        return false;
    return !(flags & PROCMAP_QUERY_VMA_SHARED) || (vma->vm_flags & VM_MAYSHARE);
}

/*
 * The VMA covering addr that matches the flags or, with
 * COVERING_OR_NEXT_VMA, the first matching one above it; NULL: ENOENT.
 */
static struct vm_area_struct *query_matching_vma(struct mm_struct *mm, uint64_t addr,
                                                 uint64_t flags)
{
    for (struct vm_area_struct *vma = find_vma(mm, addr); vma; vma = vma_next(mm, vma)) {
        if (vma_matches(vma, flags) &&
            ((flags & PROCMAP_QUERY_COVERING_OR_NEXT_VMA) || vma->vm_start <= addr))
            return vma;
        if (!(flags & PROCMAP_QUERY_COVERING_OR_NEXT_VMA))
            break;
    }
    return NULL;
}

/* ---- the ioctl --------------------------------------------------------------------- */

/* copy_struct_from_user: the caller's struct of usize bytes into q (zero-extended). */
static int copy_query_in(struct mm_struct *mm, struct procmap_query *q, uint64_t uarg,
                         uint64_t usize)
{
    memset(q, 0, sizeof(*q));
    size_t n = usize < sizeof(*q) ? (size_t)usize : sizeof(*q);
    if (copy_from_user(mm, q, uarg, n))
        return -EFAULT;
    for (uint64_t off = sizeof(*q); off < usize; off += 64) {
        unsigned char rest[64];
        size_t chunk = usize - off < sizeof(rest) ? (size_t)(usize - off) : sizeof(rest);
        if (copy_from_user(mm, rest, uarg + off, chunk))
            return -EFAULT;
        for (size_t i = 0; i < chunk; i++)
            if (rest[i])
                return -E2BIG;
    }
    return 0;
}

static void fill_vma_facts(struct procmap_query *q, const struct vm_area_struct *vma)
{
    q->vma_start = vma->vm_start;
    q->vma_end = vma->vm_end;
    q->vma_flags = (vma->vm_flags & VM_READ ? PROCMAP_QUERY_VMA_READABLE : 0) |
                   (vma->vm_flags & VM_WRITE ? PROCMAP_QUERY_VMA_WRITABLE : 0) |
                   (vma->vm_flags & VM_EXEC ? PROCMAP_QUERY_VMA_EXECUTABLE : 0) |
                   (vma->vm_flags & VM_MAYSHARE ? PROCMAP_QUERY_VMA_SHARED : 0);
    q->vma_page_size = PAGE_SIZE;
    q->vma_offset = q->inode = 0;
    q->dev_major = q->dev_minor = 0;
    if (vma->vm_file && vma->vm_file->f_mapping) {
        const struct address_space *as = vma->vm_file->f_mapping;
        q->vma_offset = (uint64_t)vma->vm_pgoff << PAGE_SHIFT;
        q->dev_major = major((dev_t)as->host_dev);
        q->dev_minor = minor((dev_t)as->host_dev);
        q->inode = as->host_ino;
    }
}

static long do_procmap_query(struct task *owner, uint64_t uarg)
{
    struct mm_struct *mm = current->mm;
    uint64_t usize;
    struct procmap_query q;
    if (copy_from_user(mm, &usize, uarg, sizeof(usize)))
        return -EFAULT;
    if (usize > PAGE_SIZE)
        return -E2BIG;
    if (usize < offsetof(struct procmap_query, query_addr) + sizeof(q.query_addr))
        return -EINVAL;
    int err = copy_query_in(mm, &q, uarg, usize);
    if (err)
        return err;
    if ((q.query_flags & ~(uint64_t)PROCMAP_QUERY_VALID_FLAGS) ||
        !q.vma_name_size != !q.vma_name_addr || !q.build_id_size != !q.build_id_addr)
        return -EINVAL;
    if (!owner || !owner->mm || owner->state >= TASK_ZOMBIE)
        return -ESRCH;
    struct vm_area_struct *vma = query_matching_vma(owner->mm, q.query_addr, q.query_flags);
    if (!vma)
        return -ENOENT;
    fill_vma_facts(&q, vma);

    unsigned char id[BUILD_ID_SIZE_MAX];
    if (q.build_id_size) {
        uint32_t n = vma_build_id(vma, id);
        if (n > q.build_id_size)
            return -ENAMETOOLONG;
        q.build_id_size = n;
    }
    char name[PATH_MAX];
    if (q.vma_name_size) {
        size_t room = q.vma_name_size < PATH_MAX ? q.vma_name_size : PATH_MAX;
        size_t n = strlen(vma_name(vma, name, sizeof(name), false));
        if (n && n + 1 > room)
            return -ENAMETOOLONG;
        q.vma_name_size = n ? (uint32_t)(n + 1) : 0;
    }
    if (q.vma_name_size && copy_to_user(mm, q.vma_name_addr, name, q.vma_name_size))
        return -EFAULT;
    if (q.build_id_size && copy_to_user(mm, q.build_id_addr, id, q.build_id_size))
        return -EFAULT;
    size_t back = usize < sizeof(q) ? (size_t)usize : sizeof(q);
    return copy_to_user(mm, uarg, &q, back) ? -EFAULT : 0;
}

long procmap_ioctl(struct file *f, unsigned int cmd, uint64_t arg)
{
    if (cmd != PROCMAP_QUERY)
        return -ENOTTY;
    return do_procmap_query(find_task_by_vpid(pseudo_file_node(f)->pid), arg);
}
