/*
 * A task's credentials (Linux's struct cred): the ids the set*id family
 * changes by Linux's rules, as getuid and friends, /proc and signal
 * senders report them, and the capability sets (capability.c) that decide
 * what the task may do where Linux asks capable().
 *
 * Invariant: they are bookkeeping. vmemu's own host identity decides what a
 * file operation may do (the guest's paths reach host files through
 * vmemu's descriptors), so a guest that drops root still reaches what
 * vmemu may; docs/security.md says so.
 */
#ifndef VMEMU_EMU_KERNEL_CRED_H
#define VMEMU_EMU_KERNEL_CRED_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "emu/kernel/syscall.h"

#define NGROUPS_GUEST 64 /* supplementary groups a guest may set (Linux allows 65536) */

typedef uint64_t kernel_cap_t; /* one bit per capability, CAP_CHOWN = bit 0 */
#define CAP_LAST_CAP_NR 40     /* CAP_CHECKPOINT_RESTORE, the last one Linux 6.18 knows */
#define CAP_VALID_MASK ((1ULL << (CAP_LAST_CAP_NR + 1)) - 1)

struct cred {
    uid_t uid, euid, suid, fsuid;
    gid_t gid, egid, sgid, fsgid;
    int ngroups;
    gid_t groups[NGROUPS_GUEST];
    unsigned int securebits; /* SECBIT_* (linux/securebits.h) */
    kernel_cap_t cap_inheritable, cap_permitted, cap_effective, cap_bset, cap_ambient;
};

/* Does the effective set hold cap (Linux's capable() for the task owning c)? */
static inline bool cred_capable(const struct cred *c, int cap)
{
    return (c->cap_effective >> cap) & 1;
}

/* The credentials vmemu runs with, for the first task (as a native child inherits them). */
void cred_init_from_host(struct cred *c);
/* The host's capability sets and secure bits for vmemu itself (capability.c). */
void cap_init_from_host(struct cred *c);
/*
 * After a set*id call changed new from old: the capability sets follow
 * the uids as Linux's cap_task_fix_setuid moves them (fs_only: setfsuid).
 */
void cap_fix_setuid(const struct cred *old, struct cred *new, bool fs_only);
/* execve's new capability sets (Linux's cap_bprm_creds_from_file, no file capabilities). */
void cap_bprm_apply(struct cred *c);

struct task;
/*
 * The capability options of prctl (CAPBSET_READ/DROP, GET/SET_KEEPCAPS,
 * GET/SET_SECUREBITS, CAP_AMBIENT): the result, with *handled set; any
 * other option leaves *handled false.
 */
long cap_prctl(struct task *t, const uint64_t a[6], bool *handled);

void sys_cred_register(syscall_fn table[NR_SYSCALLS]);
void sys_capability_register(syscall_fn table[NR_SYSCALLS]);

#endif
