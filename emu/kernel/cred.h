/*
 * A task's credentials (Linux's struct cred, without capabilities beyond
 * "euid 0 may"): the ids the set*id family changes by Linux's rules, as
 * getuid and friends, /proc and signal senders report them.
 *
 * Invariant: they are bookkeeping. vmemu's own host identity decides what a
 * file operation may do (the guest's paths reach host files through
 * vmemu's descriptors), so a guest that drops root still reaches what
 * vmemu may; docs/security.md says so.
 */
#ifndef VMEMU_EMU_KERNEL_CRED_H
#define VMEMU_EMU_KERNEL_CRED_H

#include <sys/types.h>

#include "emu/kernel/syscall.h"

#define NGROUPS_GUEST 64 /* supplementary groups a guest may set (Linux allows 65536) */

struct cred {
    uid_t uid, euid, suid, fsuid;
    gid_t gid, egid, sgid, fsgid;
    int ngroups;
    gid_t groups[NGROUPS_GUEST];
};

/* The credentials vmemu runs with, for the first task (as a native child inherits them). */
void cred_init_from_host(struct cred *c);

void sys_cred_register(syscall_fn table[NR_SYSCALLS]);

#endif
