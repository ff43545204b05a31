/*
 * The swap area: one host file of slots, one page each, as Linux's
 * swapfile.c keeps a swap file. Slot 0 holds the header (mkswap's layout,
 * so a kept file is a valid swap file); slots 1.. hold pages.
 *
 * swap_map[offset] counts the references to a slot: every swap entry in a
 * page table or a shmem object's cache, plus SWAP_HAS_CACHE while a page
 * for it is in the swap cache (swap_state.c). A slot is free when its
 * count is 0. Unlike Linux's one byte with continuation pages, vmemu's
 * count is 16 bits wide: 32766 references before swap_duplicate refuses.
 *
 * Invariants: inuse_pages is the number of slots with a nonzero count;
 * slot 0 is never handed out, so the entry value 0 means "none".
 * swap_map lives in vmalloc memory, in guest RAM, as Linux's does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "seq.h"
#include "slab.h"
#include "swap.h"
#include "vmstat.h"

#define SWAP_MIN_BYTES (40UL << 10) /* mkswap's least */
#define SWAP_MAX_BYTES (1ULL << 40)
#define SWAP_SIGNATURE "SWAPSPACE2"
#define SWAP_SIGNATURE_LEN 10
#define SWAP_PRIO (-2) /* the first area swapon gives no priority gets, as in Linux */

struct swap_info_struct {
    int fd;              /* the host file; -1 while swap is off */
    char *name;          /* what /proc/swaps shows (vmemu's own memory) */
    unsigned long max;   /* slots, the header's included */
    unsigned long pages; /* slots for pages: max - 1 */
    unsigned long inuse_pages;
    unsigned long peak_inuse;   /* the most slots ever in use at once */
    unsigned long cluster_next; /* where the next search for a free slot starts */
    unsigned short *swap_map;
    unsigned long write_errors, read_errors;
};

static struct swap_info_struct si = {.fd = -1};

unsigned long total_swap_pages(void)
{
    return si.fd >= 0 ? si.pages : 0;
}

unsigned long nr_swap_pages(void)
{
    return si.fd >= 0 ? si.pages - si.inuse_pages : 0;
}

unsigned long swap_peak_pages(void)
{
    return si.fd >= 0 ? si.peak_inuse : 0;
}

unsigned long swap_write_errors(void)
{
    return si.write_errors;
}

unsigned long swap_read_errors(void)
{
    return si.read_errors;
}

bool vm_swap_full(void)
{
    return nr_swap_pages() * 2 < total_swap_pages();
}

/* mkswap's header (Linux's union swap_header, version 1), in slot 0. */
struct swap_header_v1 {
    char bootbits[1024];
    uint32_t version;
    uint32_t last_page;
    uint32_t nr_badpages;
    unsigned char sws_uuid[16];
    unsigned char sws_volume[16];
};

static int write_header(int fd, unsigned long max)
{
    static unsigned char page[PAGE_SIZE];
    memset(page, 0, sizeof(page));
    struct swap_header_v1 h = {.version = 1, .last_page = (uint32_t)(max - 1)};
    memcpy(page, &h, sizeof(h));
    memcpy(page + PAGE_SIZE - SWAP_SIGNATURE_LEN, SWAP_SIGNATURE, SWAP_SIGNATURE_LEN);
    return pwrite(fd, page, PAGE_SIZE, 0) == (ssize_t)PAGE_SIZE ? 0 : -EIO;
}

/* An empty file, or one with a swap signature, may become the area; anything else is data. */
static int check_reusable(int fd, const struct stat *st)
{
    if (!S_ISREG(st->st_mode))
        return -EINVAL;
    if (st->st_size == 0)
        return 0;
    char sig[SWAP_SIGNATURE_LEN];
    if (st->st_size < (off_t)PAGE_SIZE ||
        pread(fd, sig, sizeof(sig), PAGE_SIZE - SWAP_SIGNATURE_LEN) != (ssize_t)sizeof(sig) ||
        memcmp(sig, SWAP_SIGNATURE, sizeof(sig)) != 0)
        return -EINVAL;
    return 0;
}

/* The unnamed file behind --swap SIZE: gone as soon as vmemu closes it. */
static int open_temporary(char **name)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        char tmpl[PATH_MAX];
        snprintf(tmpl, sizeof(tmpl), "%s/vmemu-swap.XXXXXX", dir);
        fd = mkostemp(tmpl, O_CLOEXEC);
        if (fd < 0)
            return -errno;
        unlink(tmpl);
    }
    if (asprintf(name, "%s/vmemu-swap (deleted)", dir) < 0) {
        close(fd);
        return -ENOMEM;
    }
    return fd;
}

static int open_named(const char *path, char **name)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    char *full = realpath(path, NULL);
    *name = full ? full : strdup(path);
    if (!*name) {
        close(fd);
        return -ENOMEM;
    }
    return fd;
}

/* The size the area gets: bytes, or an existing swap file's own. */
static int area_size(int fd, uint64_t bytes, unsigned long *max)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -errno;
    int err = check_reusable(fd, &st);
    if (err)
        return err;
    if (!bytes)
        bytes = (uint64_t)st.st_size;
    if (bytes < SWAP_MIN_BYTES || bytes > SWAP_MAX_BYTES)
        return -EINVAL;
    *max = (unsigned long)(bytes >> PAGE_SHIFT);
    if (ftruncate(fd, (off_t)((uint64_t)*max << PAGE_SHIFT)) != 0)
        return -errno;
    return 0;
}

int swapon(const char *path, uint64_t bytes)
{
    if (si.fd >= 0)
        return -EBUSY;
    char *name = NULL;
    int fd = path ? open_named(path, &name) : open_temporary(&name);
    if (fd < 0)
        return fd;
    unsigned long max = 0;
    int err = area_size(fd, bytes, &max);
    unsigned short *map = NULL;
    if (!err)
        err = write_header(fd, max);
    if (!err && !(map = vzalloc(max * sizeof(*map))))
        err = -ENOMEM;
    if (err) {
        close(fd);
        free(name);
        return err;
    }
    si = (struct swap_info_struct){
        .fd = fd, .name = name, .max = max, .pages = max - 1, .cluster_next = 1, .swap_map = map};
    return 0;
}

void swapoff(void)
{
    if (si.fd < 0)
        return;
    vfree(si.swap_map);
    close(si.fd);
    free(si.name);
    si = (struct swap_info_struct){.fd = -1};
}

/* The slot an entry names, if it is one of the area's; NULL otherwise. */
static unsigned short *slot(swp_entry_t entry)
{
    unsigned long off = swp_offset(entry);
    if (si.fd < 0 || swp_type(entry) != 0 || off == 0 || off >= si.max)
        return NULL;
    return &si.swap_map[off];
}

bool swap_entry_valid(swp_entry_t entry)
{
    unsigned short *s = slot(entry);
    return s && *s;
}

/* A count reached 0: the slot is free again, its shadow (if any) goes too. */
static void slot_free(unsigned long off)
{
    si.inuse_pages--;
    swap_cache_forget(swp_entry(0, off));
}

swp_entry_t get_swap_page(void)
{
    if (si.fd < 0 || si.inuse_pages == si.pages)
        return (swp_entry_t){0};
    /* Next fit: consecutive reclaim gets consecutive slots, which readahead reads together. */
    unsigned long off = si.cluster_next;
    while (si.swap_map[off]) {
        if (++off == si.max)
            off = 1;
    }
    si.swap_map[off] = SWAP_HAS_CACHE;
    if (++si.inuse_pages > si.peak_inuse)
        si.peak_inuse = si.inuse_pages;
    si.cluster_next = off + 1 < si.max ? off + 1 : 1;
    return swp_entry(0, off);
}

void put_swap_page(swp_entry_t entry)
{
    unsigned short *s = slot(entry);
    if (!s || !(*s & SWAP_HAS_CACHE))
        return;
    *s &= (unsigned short)~SWAP_HAS_CACHE;
    if (!*s)
        slot_free(swp_offset(entry));
}

int swapcache_prepare(swp_entry_t entry)
{
    unsigned short *s = slot(entry);
    if (!s || !(*s & ~SWAP_HAS_CACHE))
        return -ENOENT; /* a free slot: nothing to read */
    if (*s & SWAP_HAS_CACHE)
        return -EEXIST;
    *s |= SWAP_HAS_CACHE;
    return 0;
}

int swap_duplicate(swp_entry_t entry)
{
    unsigned short *s = slot(entry);
    if (!s || !*s)
        return -ENOENT;
    if ((*s & ~SWAP_HAS_CACHE) >= SWAP_MAP_MAX)
        return -ENOMEM;
    (*s)++;
    return 0;
}

unsigned long __swap_count(swp_entry_t entry)
{
    unsigned short *s = slot(entry);
    return s ? (unsigned long)(*s & ~SWAP_HAS_CACHE) : 0;
}

unsigned long swap_pte_count(pte_t pte)
{
    return is_swap_pte(pte) ? __swap_count(pte_to_swp_entry(pte)) : 0;
}

/* Drop one reference; true when none is left but the swap cache's. */
static bool swap_entry_put(swp_entry_t entry)
{
    unsigned short *s = slot(entry);
    if (!s || !(*s & ~SWAP_HAS_CACHE))
        return false;
    (*s)--;
    if (!*s) {
        slot_free(swp_offset(entry));
        return false;
    }
    return *s == SWAP_HAS_CACHE;
}

void swap_free(swp_entry_t entry)
{
    swap_entry_put(entry);
}

void free_swap_and_cache(swp_entry_t entry)
{
    if (swap_entry_put(entry))
        try_to_reclaim_swap(entry);
}

int swap_writepage(struct page *page)
{
    swp_entry_t entry = {page->private};
    off_t pos = (off_t)(swp_offset(entry) << PAGE_SHIFT);
    const unsigned char *src = page_address(page);
    size_t done = 0;
    while (done < PAGE_SIZE) {
        ssize_t n = pwrite(si.fd, src + done, PAGE_SIZE - done, pos + (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            si.write_errors++;
            return n < 0 ? -errno : -EIO;
        }
        done += (size_t)n;
    }
    count_vm_event(PSWPOUT);
    return 0;
}

int swap_readpage(struct page *page, swp_entry_t entry)
{
    off_t pos = (off_t)(swp_offset(entry) << PAGE_SHIFT);
    unsigned char *dst = page_address(page);
    size_t done = 0;
    while (done < PAGE_SIZE) {
        ssize_t n = pread(si.fd, dst + done, PAGE_SIZE - done, pos + (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) { /* an error, or a file someone shortened: the data is gone */
            si.read_errors++;
            return -EIO;
        }
        done += (size_t)n;
    }
    count_vm_event(PSWPIN);
    return 0;
}

unsigned long swap_area_slots(void)
{
    return si.fd >= 0 ? si.max : 0;
}

/* seq_file_path's escaping: blanks, newlines and backslashes as octal. */
static int show_escaped(struct seq *s, const char *name)
{
    int len = 0;
    for (const char *p = name; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\\') {
            seq_printf(s, "\\%03o", (unsigned char)*p);
            len += 4;
        } else {
            seq_printf(s, "%c", *p);
            len++;
        }
    }
    return len;
}

void swaps_show(struct seq *s)
{
    seq_printf(s, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
    if (si.fd < 0)
        return;
    int len = show_escaped(s, si.name);
    unsigned long size = si.pages << (PAGE_SHIFT - 10), used = si.inuse_pages << (PAGE_SHIFT - 10);
    seq_printf(s, "%*s%s\t%lu\t%s%lu\t%s%d\n", len < 40 ? 40 - len : 1, " ", "file\t", size,
               size < 10000000 ? "\t" : "", used, used < 10000000 ? "\t" : "", SWAP_PRIO);
}
