/*
 * Capabilities (Linux's kernel/capability.c and security/commoncap.c): the
 * five sets of struct cred, capget and capset, how set*id changes move
 * them, what execve makes of them, and the prctl options that read or
 * drop them (the bounding set, the ambient set, keep-caps and the secure
 * bits).
 *
 * Invariants, as Linux keeps them: effective is a subset of permitted;
 * ambient of permitted and inheritable together; no set holds a bit above
 * CAP_LAST_CAP_NR. A guest starts with vmemu's own sets, as a native child
 * inherits them. They are bookkeeping like the ids (cred.h): they decide
 * what the guest's calls may do inside vmemu (set*id, rlimits, memory
 * locks, mmap_min_addr, PFNs in pagemap), never what the host lets vmemu do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "emu/kernel/cred.h"
#include "emu/kernel/task.h"
#include "mm/uaccess.h"

#define CAP_BIT(c) (1ULL << (c))
/* What fsuid 0 has always meant (Linux's CAP_FS_SET): dropped and raised with it. */
#define CAP_FS_SET                                                                                 \
    (CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_MKNOD) | CAP_BIT(CAP_DAC_OVERRIDE) |                         \
     CAP_BIT(CAP_DAC_READ_SEARCH) | CAP_BIT(CAP_FOWNER) | CAP_BIT(CAP_FSETID) |                    \
     CAP_BIT(CAP_LINUX_IMMUTABLE) | CAP_BIT(CAP_MAC_OVERRIDE))
#define SECBIT(b) (1U << (b))

static bool subset(kernel_cap_t a, kernel_cap_t set)
{
    return !(a & ~set);
}

/* The host's sets for vmemu itself: what a native child of vmemu would start with. */
void cap_init_from_host(struct cred *c)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2] = {{0, 0, 0}, {0, 0, 0}};
    if (syscall(SYS_capget, &h, d) == 0) {
        c->cap_effective = (d[0].effective | (kernel_cap_t)d[1].effective << 32) & CAP_VALID_MASK;
        c->cap_permitted = (d[0].permitted | (kernel_cap_t)d[1].permitted << 32) & CAP_VALID_MASK;
        c->cap_inheritable =
            (d[0].inheritable | (kernel_cap_t)d[1].inheritable << 32) & CAP_VALID_MASK;
    }
    c->cap_bset = c->cap_ambient = 0;
    for (int cap = 0; cap <= CAP_LAST_CAP_NR; cap++) {
        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
            c->cap_bset |= CAP_BIT(cap);
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1)
            c->cap_ambient |= CAP_BIT(cap);
    }
    int sb = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
    c->securebits = sb > 0 ? (unsigned)sb : 0;
}

/*
 * Linux's cap_emulate_setxuid and the fsuid rule (cap_task_fix_setuid):
 * leaving uid 0 in all of real, effective and saved clears permitted and
 * effective (unless keep-caps) and ambient; euid leaving 0 clears
 * effective, coming back to 0 restores it from permitted; fsuid leaving
 * or reaching 0 drops or raises the file-system capabilities.
 */
void cap_fix_setuid(const struct cred *old, struct cred *new, bool fs_only)
{
    if (new->securebits & SECBIT(SECURE_NO_SETUID_FIXUP))
        return;
    if (!fs_only) {
        bool was_root = old->uid == 0 || old->euid == 0 || old->suid == 0;
        bool is_root = new->uid == 0 || new->euid == 0 || new->suid == 0;
        if (was_root && !is_root) {
            if (!(new->securebits &SECBIT(SECURE_KEEP_CAPS)))
                new->cap_permitted = new->cap_effective = 0;
            new->cap_ambient = 0;
        }
        if (old->euid == 0 && new->euid != 0)
            new->cap_effective = 0;
        if (old->euid != 0 && new->euid == 0)
            new->cap_effective = new->cap_permitted;
    }
    if (old->fsuid == 0 && new->fsuid != 0)
        new->cap_effective &= ~CAP_FS_SET;
    if (old->fsuid != 0 && new->fsuid == 0)
        new->cap_effective |= new->cap_permitted &CAP_FS_SET;
}

/*
 * What execve makes of the sets for a file without file capabilities
 * (Linux's cap_bprm_creds_from_file; vmemu reads no security.capability
 * attribute and runs no set-id program): root, real or effective, gets
 * permitted = bounding | inheritable, effective as well when its euid is
 * 0; anyone else keeps only the ambient set. Keep-caps is reset.
 */
void cap_bprm_apply(struct cred *c)
{
    bool root = !(c->securebits & SECBIT(SECURE_NOROOT)) && (c->euid == 0 || c->uid == 0);
    c->cap_permitted = root ? (c->cap_bset | c->cap_inheritable) : 0;
    c->cap_permitted |= c->cap_ambient;
    bool effective = root && c->euid == 0;
    c->cap_effective = effective ? c->cap_permitted : c->cap_ambient;
    c->securebits &= ~SECBIT(SECURE_KEEP_CAPS);
}

/* The header's version: how many 32-bit words each set takes; -EINVAL writes the one we know. */
static long validate_magic(struct task *t, uint64_t uheader, unsigned int *words)
{
    uint32_t version;
    if (copy_from_user(t->mm, &version, uheader, sizeof(version)))
        return -EFAULT;
    switch (version) {
    case _LINUX_CAPABILITY_VERSION_1:
        *words = _LINUX_CAPABILITY_U32S_1;
        return 0;
    case _LINUX_CAPABILITY_VERSION_2:
    case _LINUX_CAPABILITY_VERSION_3:
        *words = _LINUX_CAPABILITY_U32S_3;
        return 0;
    default:
        version = _LINUX_CAPABILITY_VERSION_3;
        if (copy_to_user(t->mm, uheader, &version, sizeof(version)))
            return -EFAULT;
        return -EINVAL;
    }
}

static long sys_capget(struct task *t, const uint64_t a[6])
{
    unsigned int words;
    long err = validate_magic(t, a[0], &words);
    if (!a[1] || err)
        return !a[1] && err == -EINVAL ? 0 : err; /* a NULL data pointer asks for the version */
    int pid;
    if (copy_from_user(t->mm, &pid, a[0] + 4, sizeof(pid)))
        return -EFAULT;
    if (pid < 0)
        return -EINVAL;
    struct task *p = pid && pid != t->pid ? find_task_by_vpid(pid) : t;
    if (!p || p->state == TASK_DEAD)
        return -ESRCH;
    struct __user_cap_data_struct d[2];
    for (unsigned int i = 0; i < words; i++) {
        d[i].effective = (uint32_t)(p->cred.cap_effective >> (32 * i));
        d[i].permitted = (uint32_t)(p->cred.cap_permitted >> (32 * i));
        d[i].inheritable = (uint32_t)(p->cred.cap_inheritable >> (32 * i));
    }
    return copy_to_user(t->mm, a[1], d, words * sizeof(d[0])) ? -EFAULT : 0;
}

/*
 * capset: the caller's own sets only. Inheritable may grow only within
 * inheritable | permitted (any bit of the bounding set with CAP_SETPCAP),
 * permitted only shrink, effective stay within the new permitted; ambient
 * loses what is no longer both permitted and inheritable.
 */
static long sys_capset(struct task *t, const uint64_t a[6])
{
    unsigned int words;
    long err = validate_magic(t, a[0], &words);
    if (err)
        return err;
    int pid;
    if (copy_from_user(t->mm, &pid, a[0] + 4, sizeof(pid)))
        return -EFAULT;
    if (pid != 0 && pid != t->pid)
        return -EPERM;
    struct __user_cap_data_struct d[2] = {{0, 0, 0}, {0, 0, 0}};
    if (copy_from_user(t->mm, d, a[1], words * sizeof(d[0])))
        return -EFAULT;
    kernel_cap_t e = (d[0].effective | (kernel_cap_t)d[1].effective << 32) & CAP_VALID_MASK;
    kernel_cap_t p = (d[0].permitted | (kernel_cap_t)d[1].permitted << 32) & CAP_VALID_MASK;
    kernel_cap_t i = (d[0].inheritable | (kernel_cap_t)d[1].inheritable << 32) & CAP_VALID_MASK;
    struct cred *c = &t->cred;
    if (!cred_capable(c, CAP_SETPCAP) && !subset(i, c->cap_inheritable | c->cap_permitted))
        return -EPERM;
    if (!subset(i, c->cap_inheritable | c->cap_bset) || !subset(p, c->cap_permitted) ||
        !subset(e, p))
        return -EPERM;
    c->cap_effective = e;
    c->cap_permitted = p;
    c->cap_inheritable = i;
    c->cap_ambient &= p & i;
    task_set_mm_limits(t);
    return 0;
}

static bool cap_in_range(uint64_t cap)
{
    return cap <= CAP_LAST_CAP_NR;
}

/* PR_CAP_AMBIENT (Linux's cap_task_prctl): a raised bit must be permitted and inheritable. */
static long ambient_prctl(struct task *t, const uint64_t a[6])
{
    struct cred *c = &t->cred;
    if (a[1] == PR_CAP_AMBIENT_CLEAR_ALL) {
        if (a[2] || a[3] || a[4])
            return -EINVAL;
        c->cap_ambient = 0;
        return 0;
    }
    if (a[3] || a[4] || !cap_in_range(a[2]))
        return -EINVAL;
    kernel_cap_t bit = CAP_BIT(a[2]);
    switch (a[1]) {
    case PR_CAP_AMBIENT_IS_SET:
        return (c->cap_ambient & bit) != 0;
    case PR_CAP_AMBIENT_RAISE:
        if (!(c->cap_permitted & bit) || !(c->cap_inheritable & bit) ||
            (c->securebits & SECBIT(SECURE_NO_CAP_AMBIENT_RAISE)))
            return -EPERM;
        c->cap_ambient |= bit;
        return 0;
    case PR_CAP_AMBIENT_LOWER:
        c->cap_ambient &= ~bit;
        return 0;
    default:
        return -EINVAL;
    }
}

/*
 * PR_SET_SECUREBITS: with CAP_SETPCAP, no locked bit changed, no lock undone,
 * no unknown bit (all EPERM, as Linux). Linux 6.14's exec restrictions
 * (bits 8 to 11) are kept, though vmemu's execve does not consult them.
 */
#define SECURE_KNOWN_BITS ((SECURE_ALL_BITS | SECBIT(8) | SECBIT(10)) * 3)
static long set_securebits(struct cred *c, uint64_t bits)
{
    unsigned int locked = (c->securebits & SECURE_KNOWN_BITS & 0xaaa) >> 1;
    if (((c->securebits ^ bits) & locked) || ((c->securebits & 0xaaa) & ~bits) ||
        (bits & ~(uint64_t)SECURE_KNOWN_BITS) || !cred_capable(c, CAP_SETPCAP))
        return -EPERM;
    c->securebits = (unsigned)bits;
    return 0;
}

long cap_prctl(struct task *t, const uint64_t a[6], bool *handled)
{
    struct cred *c = &t->cred;
    *handled = true;
    switch (a[0]) {
    case PR_CAPBSET_READ:
        return cap_in_range(a[1]) ? (long)((c->cap_bset >> a[1]) & 1) : -EINVAL;
    case PR_CAPBSET_DROP:
        if (!cred_capable(c, CAP_SETPCAP))
            return -EPERM;
        if (!cap_in_range(a[1]))
            return -EINVAL;
        c->cap_bset &= ~CAP_BIT(a[1]);
        return 0;
    case PR_GET_KEEPCAPS:
        return (c->securebits & SECBIT(SECURE_KEEP_CAPS)) != 0;
    case PR_SET_KEEPCAPS:
        if (a[1] > 1)
            return -EINVAL;
        if (c->securebits & SECBIT(SECURE_KEEP_CAPS_LOCKED))
            return -EPERM;
        c->securebits = a[1] ? c->securebits | SECBIT(SECURE_KEEP_CAPS)
                             : c->securebits & ~SECBIT(SECURE_KEEP_CAPS);
        return 0;
    case PR_GET_SECUREBITS:
        return c->securebits;
    case PR_SET_SECUREBITS:
        return set_securebits(c, a[1]);
    case PR_CAP_AMBIENT:
        return ambient_prctl(t, a);
    default:
        *handled = false;
        return -EINVAL;
    }
}

void sys_capability_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_capget] = sys_capget;
    table[SYS_capset] = sys_capset;
}
