/*
 * vmemu's own file trees (/proc, /dev): what the path walk and the file
 * calls need from them, and the open-file side they share. A node is a
 * struct path whose kind, pid and num say which entry it is; nothing is
 * cached between calls, so every lookup and every read sees the current
 * state of the guest's processes.
 */
#ifndef VMEMU_EMU_FS_PSEUDO_H
#define VMEMU_EMU_FS_PSEUDO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu/fs/mount.h"
#include "mm/seq.h"

struct file_operations;
struct stat;
struct statfs;

/* Directory listing: emit returns false when the caller's buffer is full. */
struct dir_context {
    bool (*emit)(struct dir_context *ctx, const char *name, uint64_t ino, unsigned char type,
                 uint64_t off);
    uint64_t pos; /* the first offset wanted */
};

struct pseudo_ops {
    /* The entry called name in directory dir: 0 and *out, or -ENOENT. */
    int (*lookup)(struct task *t, const struct path *dir, const char *name, struct path *out);
    /* The directory holding p (p is not its mount's root). */
    void (*parent)(const struct path *p, struct path *out);
    /*
     * A symbolic link's text into buf (NUL-terminated, truncated to len):
     * its length, or -errno. A magic link (/proc/PID/exe, cwd, root, fd/N)
     * also gives the object it names in *jump when jump is not NULL: the
     * walk goes there directly instead of resolving the text.
     */
    int (*get_link)(struct task *t, const struct path *p, char *buf, size_t len, struct path *jump);
    void (*getattr)(const struct path *p, struct stat *st);
    /* Open p for the guest with these open(2) flags: 0 and *out, or -errno. */
    int (*open)(struct task *t, const struct path *p, int flags, struct file **out);
    /* Entries of dir with offsets >= ctx->pos, in increasing offset order. */
    void (*iterate)(const struct path *dir, struct dir_context *ctx);
    void (*statfs)(struct statfs *st);
    int enoent_create; /* what creating an entry here fails with */
};

/* The per-open state of one of vmemu's files: f->private_data. */
struct pseudo_file {
    struct path node;
    struct seq text;   /* the rendered text of a generated file */
    uint64_t text_pos; /* where the last read ended: reading on continues the text */
    bool text_valid;   /* text holds a rendering */
    bool opener_admin; /* /proc/PID/pagemap: the opener had CAP_SYS_ADMIN, frames are shown */
    uint64_t rng;      /* /dev/urandom's stream, seeded by the opener */
};

/*
 * A generated file's text, produced at read() time as Linux's seq_file
 * does: a read at offset 0, or anywhere but where the last read ended,
 * renders it afresh; reading on continues the same rendering. show fills
 * s, or returns -errno (the process is gone: -ESRCH).
 */
typedef int (*pseudo_show_fn)(struct file *f, struct seq *s);
long pseudo_seq_read(struct file *f, char *buf, size_t len, uint64_t *pos, pseudo_show_fn show);
int64_t pseudo_llseek(struct file *f, int64_t off, int whence);

/*
 * A new open file for node with ops (node copied); 0 or -errno. Every such
 * op table releases with pseudo_file_release, which is how they are known.
 */
int pseudo_file_open(const struct path *node, int flags, const char *name,
                     const struct file_operations *op, struct file **out);
void pseudo_file_release(struct file *f);
/* The node behind one of vmemu's open files, or NULL for any other file. */
const struct path *pseudo_file_node(const struct file *f);
/* fstat of one of vmemu's files: its node's attributes. */
int pseudo_getattr(struct file *f, struct stat *st);
/* Directory files of vmemu's trees: their getdents walks ops->iterate. */
extern const struct file_operations pseudo_dir_fops;

/*
 * Permission of one of vmemu's entries as the kernel's generic_permission
 * judges it for the caller (vmemu's own credentials): acc is MAY_* bits.
 */
#define MAY_EXEC 1
#define MAY_WRITE 2
#define MAY_READ 4
int pseudo_permission(mode_t mode, uid_t owner, int acc);
/* The MAY_* bits open(2) flags ask for. */
int open_flags_to_may(int flags);

/* The inode facts vmemu's entries share: owner, times, block size. */
void pseudo_fill_stat(struct stat *st, dev_t dev, ino_t ino, mode_t mode, uid_t uid);

/* Linux's dirent d_type of a mode. */
unsigned char mode_to_dtype(mode_t mode);

#endif
