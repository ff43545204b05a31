/*
 * The vDSO's frames and the [vvar] data page (Linux's vdso_image and
 * vdso_data): the image vdso/vdso.c was built into at vmemu's build time
 * (generated/vdso_image.c) is copied into frames once, at boot, and every
 * exec maps those same frames, so all processes share them as they share
 * Linux's. The data page is written here only, between guest instructions,
 * with its sequence count odd while it changes.
 *
 * Invariants: the frames are held from vdso_init to vdso_exit (vmemu's
 * own reference keeps them from ever being freed by an unmap; the [vvar]
 * frame, mapped raw, is reserved as well); no process maps them after
 * vdso_exit.
 */
#include "emu/kernel/vdso.h"

#include <elf.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "mm/mm_types.h"
#include "mm/mmzone.h"
#include "mm/page.h"
#include "vdso/vvar.h"

#define VVAR_PAGES 4UL        /* [vvar], as x86-64 Linux 6.x maps it */
#define VVAR_VCLOCK_PAGES 2UL /* [vvar_vclock]: no paravirtual clock here, so no frames */
#define VDSO_PAGES 2UL        /* [vdso] */
#define PVCLOCK_SHIFT 0       /* the paravirtual clock counts nanoseconds: mult 1, no shift */

extern const unsigned char vdso_image[];
extern const size_t vdso_image_len;

static unsigned long vvar_pfn[1], vdso_pfns[VDSO_PAGES];
static struct vm_special_mapping vvar_mapping = {"[vvar]", VVAR_PAGES, 0, vvar_pfn};
static struct vm_special_mapping vclock_mapping = {"[vvar_vclock]", VVAR_VCLOCK_PAGES, 0, NULL};
static struct vm_special_mapping vdso_mapping = {"[vdso]", VDSO_PAGES, 0, vdso_pfns};
static struct vvar_data *vvar;

/* The embedded image must be an x86-64 ELF shared object that fits its pages. */
static int image_ok(void)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)vdso_image;
    return vdso_image_len >= sizeof(*eh) && vdso_image_len <= VDSO_PAGES * PAGE_SIZE &&
           memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_type == ET_DYN &&
           eh->e_machine == EM_X86_64;
}

static void free_frame(unsigned long pfn)
{
    struct page *page = pfn_to_page(pfn);
    ClearPageFlag(page, PG_reserved);
    __free_page(page);
}

int vdso_init(void)
{
    if (!image_ok())
        return -ENOEXEC;
    struct page *pages[1 + VDSO_PAGES];
    for (unsigned long i = 0; i < 1 + VDSO_PAGES; i++) {
        if (!(pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO))) {
            while (i--)
                free_frame(page_to_pfn(pages[i]));
            return -ENOMEM;
        }
    }
    SetPageFlag(pages[0], PG_reserved);
    vvar_pfn[0] = page_to_pfn(pages[0]);
    vvar = page_address(pages[0]);
    for (unsigned long i = 0; i < VDSO_PAGES; i++)
        vdso_pfns[i] = page_to_pfn(pages[1 + i]);
    for (unsigned long off = 0; off < vdso_image_len; off += PAGE_SIZE) {
        size_t n = vdso_image_len - off < PAGE_SIZE ? vdso_image_len - off : PAGE_SIZE;
        memcpy(page_address(pages[1 + off / PAGE_SIZE]), vdso_image + off, n);
    }
    vvar_mapping.nr_frames = 1;
    vdso_mapping.nr_frames = VDSO_PAGES;
    vvar->clock_mode = VVAR_CLOCK_MODE_PVCLOCK;
    vvar->mult = 1u << PVCLOCK_SHIFT;
    vvar->shift = PVCLOCK_SHIFT;
    vvar->hres_ns = 1;
    vvar->coarse_ns = VVAR_TICK_NSEC;
    vvar->cpu = vvar->node = 0; /* one CPU runs every task: CPU 0 of node 0 */
    return 0;
}

void vdso_exit(void)
{
    if (!vvar)
        return;
    free_frame(vvar_pfn[0]);
    for (unsigned long i = 0; i < VDSO_PAGES; i++)
        free_frame(vdso_pfns[i]);
    vvar = NULL;
    vvar_mapping.nr_frames = vdso_mapping.nr_frames = 0;
}

void vdso_parts(const struct vm_special_mapping *parts[NR_VDSO_PARTS])
{
    parts[VDSO_VVAR] = vvar ? &vvar_mapping : NULL;
    parts[VDSO_VVAR_VCLOCK] = vvar ? &vclock_mapping : NULL;
    parts[VDSO_TEXT] = vvar ? &vdso_mapping : NULL;
}

/*
 * Every clock the vDSO reads counts from boot (the monotonic ones, boot
 * time) or from the epoch (the wall clock and TAI, which vmemu keeps
 * equal, as a machine without leap-second offsets does).
 */
void vdso_update_time(uint64_t now_ns, uint64_t epoch_ns)
{
    if (!vvar)
        return;
    __atomic_store_n(&vvar->seq, vvar->seq + 1, __ATOMIC_RELEASE); /* odd: readers retry */
    vvar->cycle_last = now_ns;
    for (int clk = 0; clk < VVAR_CLOCKS; clk++)
        vvar->base_ns[clk] = now_ns;
    vvar->base_ns[CLOCK_REALTIME] = vvar->base_ns[CLOCK_TAI] = epoch_ns + now_ns;
    __atomic_store_n(&vvar->seq, vvar->seq + 1, __ATOMIC_RELEASE);
}
