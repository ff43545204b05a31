/*
 * The symbolizer: an address in a file mapping -> the offset in the file
 * -> the ELF virtual address (through the PT_LOAD segment holding that
 * offset) -> the function symbol covering it and the DWARF line.
 *
 * Each ELF file is opened once (keyed by the host's device and inode, from
 * the page cache's address_space) and kept until symbols_exit: its sorted
 * function symbols and its DWARF handle. Files are read through a
 * duplicate of the descriptor the page cache holds, so a guest path is
 * never looked up again. Nothing here touches guest memory or state.
 */
#include "emu/trace/symbols.h"

#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mm/fs.h"
#include "mm/mmap.h"

struct func_sym {
    uint64_t addr, size;
    const char *name;
    int rank; /* which of several symbols at one address to prefer: global, weak, local */
};

struct load_seg {
    uint64_t offset, filesz, vaddr;
};

struct elf_file {
    uint64_t dev, ino;
    int fd;
    Elf *elf;
    Dwarf *dwarf; /* NULL without debug information */
    struct func_sym *syms;
    size_t nsyms;
    struct load_seg *segs;
    size_t nsegs;
    struct elf_file *next;
};

static struct elf_file *files;

static int sym_cmp(const void *pa, const void *pb)
{
    const struct func_sym *a = pa, *b = pb;
    if (a->addr != b->addr)
        return a->addr < b->addr ? -1 : 1;
    if (a->rank != b->rank)
        return a->rank - b->rank;
    return strcmp(a->name, b->name);
}

static bool load_segments(struct elf_file *f)
{
    size_t n;
    if (elf_getphdrnum(f->elf, &n) != 0)
        return false;
    f->segs = calloc(n ? n : 1, sizeof(*f->segs));
    if (!f->segs)
        return false;
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(f->elf, (int)i, &ph) && ph.p_type == PT_LOAD)
            f->segs[f->nsegs++] = (struct load_seg){ph.p_offset, ph.p_filesz, ph.p_vaddr};
    }
    return true;
}

static int binding_rank(unsigned char bind)
{
    return bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
}

/* Every defined function symbol of the symbol table (or, stripped, the dynamic one). */
static bool load_symbols(struct elf_file *f)
{
    Elf_Scn *scn = NULL, *best = NULL;
    GElf_Shdr sh, best_sh = {0};
    while ((scn = elf_nextscn(f->elf, scn)) != NULL) {
        if (!gelf_getshdr(scn, &sh))
            continue;
        if (sh.sh_type == SHT_SYMTAB || (sh.sh_type == SHT_DYNSYM && !best)) {
            best = scn;
            best_sh = sh;
        }
    }
    if (!best || best_sh.sh_entsize == 0)
        return true;
    Elf_Data *data = elf_getdata(best, NULL);
    size_t n = best_sh.sh_size / best_sh.sh_entsize;
    f->syms = calloc(n ? n : 1, sizeof(*f->syms));
    if (!data || !f->syms)
        return false;
    for (size_t i = 0; i < n; i++) {
        GElf_Sym s;
        if (!gelf_getsym(data, (int)i, &s) || s.st_shndx == SHN_UNDEF || s.st_value == 0)
            continue;
        unsigned char type = GELF_ST_TYPE(s.st_info);
        if (type != STT_FUNC && type != STT_GNU_IFUNC)
            continue;
        const char *name = elf_strptr(f->elf, best_sh.sh_link, s.st_name);
        if (name && *name)
            f->syms[f->nsyms++] = (struct func_sym){s.st_value, s.st_size, name,
                                                    binding_rank(GELF_ST_BIND(s.st_info))};
    }
    qsort(f->syms, f->nsyms, sizeof(*f->syms), sym_cmp);
    return true;
}

static void file_free(struct elf_file *f)
{
    if (f->dwarf)
        dwarf_end(f->dwarf);
    if (f->elf)
        elf_end(f->elf);
    if (f->fd >= 0)
        close(f->fd);
    free(f->syms);
    free(f->segs);
    free(f);
}

/* The ELF file behind an address_space, opened on first use; NULL if it is not ELF. */
static struct elf_file *file_get(const struct address_space *as)
{
    struct elf_file *f;
    for (f = files; f; f = f->next)
        if (f->dev == as->host_dev && f->ino == as->host_ino)
            return f->elf ? f : NULL;
    f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->dev = as->host_dev;
    f->ino = as->host_ino;
    f->fd = as->host_fd >= 0 ? fcntl(as->host_fd, F_DUPFD_CLOEXEC, 0) : -1;
    elf_version(EV_CURRENT);
    if (f->fd >= 0)
        f->elf = elf_begin(f->fd, ELF_C_READ_MMAP, NULL);
    if (f->elf && (elf_kind(f->elf) != ELF_K_ELF || !load_segments(f) || !load_symbols(f))) {
        elf_end(f->elf);
        f->elf = NULL;
    }
    if (f->elf)
        f->dwarf = dwarf_begin_elf(f->elf, DWARF_C_READ, NULL);
    f->next = files; /* kept even when not ELF, so it is not tried again */
    files = f;
    return f->elf ? f : NULL;
}

/* The ELF virtual address at file offset off; false if no loaded segment holds it. */
static bool offset_to_vaddr(const struct elf_file *f, uint64_t off, uint64_t *vaddr)
{
    for (size_t i = 0; i < f->nsegs; i++) {
        const struct load_seg *s = &f->segs[i];
        if (off >= s->offset && off < s->offset + s->filesz) {
            *vaddr = off - s->offset + s->vaddr;
            return true;
        }
    }
    return false;
}

static void name_function(const struct elf_file *f, uint64_t vaddr, struct symbol_info *out)
{
    size_t lo = 0, hi = f->nsyms;
    while (lo < hi) { /* the first symbol above vaddr */
        size_t mid = (lo + hi) / 2;
        if (f->syms[mid].addr <= vaddr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return;
    const struct func_sym *s = &f->syms[lo - 1];
    while (s > f->syms && s[-1].addr == s->addr) /* the preferred one of its address */
        s--;
    if (s->size && vaddr >= s->addr + s->size)
        return;
    if (vaddr == s->addr)
        snprintf(out->func, sizeof(out->func), "%s", s->name);
    else
        snprintf(out->func, sizeof(out->func), "%s+%#llx", s->name,
                 (unsigned long long)(vaddr - s->addr));
}

static void name_line(const struct elf_file *f, uint64_t vaddr, struct symbol_info *out)
{
    Dwarf_Die cu;
    int lineno;
    if (!f->dwarf || !dwarf_addrdie(f->dwarf, vaddr, &cu))
        return;
    Dwarf_Line *line = dwarf_getsrc_die(&cu, vaddr);
    const char *src = line ? dwarf_linesrc(line, NULL, NULL) : NULL;
    if (!src || dwarf_lineno(line, &lineno) != 0 || lineno <= 0)
        return;
    const char *base = strrchr(src, '/');
    snprintf(out->line, sizeof(out->line), "%s:%d", base ? base + 1 : src, lineno);
}

bool symbolize(struct mm_struct *mm, uint64_t ip, struct symbol_info *out)
{
    out->func[0] = out->line[0] = '\0';
    struct vm_area_struct *vma = mm ? find_vma(mm, ip) : NULL;
    if (!vma || vma->vm_start > ip || !vma->vm_file || !vma->vm_file->f_mapping)
        return false;
    struct elf_file *f = file_get(vma->vm_file->f_mapping);
    uint64_t off = ip - vma->vm_start + ((uint64_t)vma->vm_pgoff << PAGE_SHIFT), vaddr;
    if (!f || !offset_to_vaddr(f, off, &vaddr))
        return false;
    name_function(f, vaddr, out);
    name_line(f, vaddr, out);
    return out->func[0] || out->line[0];
}

void symbols_exit(void)
{
    while (files) {
        struct elf_file *f = files;
        files = f->next;
        file_free(f);
    }
}
