/*
 * The set*id and get*id system calls over struct cred (cred.h), by Linux's
 * rules (kernel/sys.c): a task holding CAP_SETUID (CAP_SETGID for group
 * ids) may set any id; any other may only move its ids among the values it
 * already holds (real, effective, saved). The filesystem ids follow the
 * effective ones. A uid change moves the capability sets as Linux's
 * commoncap does (capability.c): leaving uid 0 drops them.
 */
#define _GNU_SOURCE
#include "emu/kernel/cred.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "emu/kernel/task.h"
#include "mm/uaccess.h"

#define ID_UNCHANGED ((uint32_t)-1)

void cred_init_from_host(struct cred *c)
{
    getresuid(&c->uid, &c->euid, &c->suid);
    getresgid(&c->gid, &c->egid, &c->sgid);
    c->fsuid = c->euid;
    c->fsgid = c->egid;
    int n = getgroups(NGROUPS_GUEST, c->groups);
    c->ngroups = n < 0 ? 0 : n;
    cap_init_from_host(c);
}

/* After a uid call that succeeded: the capability sets follow the change, and mm/ learns them. */
static void uid_changed(struct task *t, const struct cred *old, bool fs_only)
{
    cap_fix_setuid(old, &t->cred, fs_only);
    task_set_mm_limits(t);
}

/* One of the ids the task holds: what an unprivileged change may pick. */
static bool held(uint32_t id, uint32_t r, uint32_t e, uint32_t s)
{
    return id == r || id == e || id == s;
}

/* setresuid and setresgid, over one triple of ids and the matching fs id. */
static long set_res(bool priv, uint32_t *r, uint32_t *e, uint32_t *s, uint32_t *fs, uint32_t nr,
                    uint32_t ne, uint32_t ns)
{
    if (!priv && ((nr != ID_UNCHANGED && !held(nr, *r, *e, *s)) ||
                  (ne != ID_UNCHANGED && !held(ne, *r, *e, *s)) ||
                  (ns != ID_UNCHANGED && !held(ns, *r, *e, *s))))
        return -EPERM;
    if (nr != ID_UNCHANGED)
        *r = nr;
    if (ne != ID_UNCHANGED)
        *e = ne;
    if (ns != ID_UNCHANGED)
        *s = ns;
    *fs = *e;
    return 0;
}

/* setreuid and setregid: the saved id follows a new euid when the real one moved or differs. */
static long set_re(bool priv, uint32_t *r, uint32_t *e, uint32_t *s, uint32_t *fs, uint32_t nr,
                   uint32_t ne)
{
    uint32_t old_r = *r;
    if (!priv && ((nr != ID_UNCHANGED && nr != *r && nr != *e) ||
                  (ne != ID_UNCHANGED && !held(ne, *r, *e, *s))))
        return -EPERM;
    if (nr != ID_UNCHANGED)
        *r = nr;
    if (ne != ID_UNCHANGED)
        *e = ne;
    if (nr != ID_UNCHANGED || (ne != ID_UNCHANGED && ne != old_r))
        *s = *e;
    *fs = *e;
    return 0;
}

/* setuid and setgid: privileged, all three; otherwise only the effective one, to real or saved. */
static long set_one(bool priv, uint32_t *r, uint32_t *e, uint32_t *s, uint32_t *fs, uint32_t n)
{
    if (n == ID_UNCHANGED)
        return -EINVAL;
    if (priv) {
        *r = *e = *s = n;
    } else if (n == *r || n == *s) {
        *e = n;
    } else {
        return -EPERM;
    }
    *fs = n;
    return 0;
}

static long sys_setuid(struct task *t, const uint64_t a[6])
{
    struct cred *c = &t->cred, old = *c;
    long err = set_one(cred_capable(c, CAP_SETUID), &c->uid, &c->euid, &c->suid, &c->fsuid,
                       (uint32_t)a[0]);
    if (!err)
        uid_changed(t, &old, false);
    return err;
}

static long sys_setgid(struct task *t, const uint64_t a[6])
{
    struct cred *c = &t->cred;
    return set_one(cred_capable(c, CAP_SETGID), &c->gid, &c->egid, &c->sgid, &c->fsgid,
                   (uint32_t)a[0]);
}

static long sys_setreuid(struct task *t, const uint64_t a[6])
{
    struct cred *c = &t->cred, old = *c;
    long err = set_re(cred_capable(c, CAP_SETUID), &c->uid, &c->euid, &c->suid, &c->fsuid,
                      (uint32_t)a[0], (uint32_t)a[1]);
    if (!err)
        uid_changed(t, &old, false);
    return err;
}

static long sys_setregid(struct task *t, const uint64_t a[6])
{
    struct cred *c = &t->cred;
    return set_re(cred_capable(c, CAP_SETGID), &c->gid, &c->egid, &c->sgid, &c->fsgid,
                  (uint32_t)a[0], (uint32_t)a[1]);
}

static long sys_setresuid(struct task *t, const uint64_t a[6])
{
    struct cred *c = &t->cred, old = *c;
    long err = set_res(cred_capable(c, CAP_SETUID), &c->uid, &c->euid, &c->suid, &c->fsuid,
                       (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2]);
    if (!err)
        uid_changed(t, &old, false);
    return err;
}

static long sys_setresgid(struct task *t, const uint64_t a[6])
{
    struct cred *c = &t->cred;
    return set_res(cred_capable(c, CAP_SETGID), &c->gid, &c->egid, &c->sgid, &c->fsgid,
                   (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2]);
}

/* getresuid and getresgid: three ids to user memory. */
static long put_res(struct task *t, const uint64_t a[6], const uint32_t ids[3])
{
    for (int i = 0; i < 3; i++)
        if (copy_to_user(t->mm, a[i], &ids[i], sizeof(ids[i])))
            return -EFAULT;
    return 0;
}

static long sys_getresuid(struct task *t, const uint64_t a[6])
{
    const uint32_t ids[3] = {t->cred.uid, t->cred.euid, t->cred.suid};
    return put_res(t, a, ids);
}

static long sys_getresgid(struct task *t, const uint64_t a[6])
{
    const uint32_t ids[3] = {t->cred.gid, t->cred.egid, t->cred.sgid};
    return put_res(t, a, ids);
}

/* setfsuid and setfsgid return the old value whether or not they changed it. */
static long set_fs(bool priv, uint32_t *fs, uint32_t r, uint32_t e, uint32_t s, uint32_t n)
{
    uint32_t old = *fs;
    if (priv || held(n, r, e, s) || n == old)
        *fs = n;
    return old;
}

static long sys_setfsuid(struct task *t, const uint64_t a[6])
{
    struct cred *c = &t->cred, old = *c;
    long ret =
        set_fs(cred_capable(c, CAP_SETUID), &c->fsuid, c->uid, c->euid, c->suid, (uint32_t)a[0]);
    if (c->fsuid != old.fsuid)
        uid_changed(t, &old, true);
    return ret;
}

static long sys_setfsgid(struct task *t, const uint64_t a[6])
{
    struct cred *c = &t->cred;
    return set_fs(cred_capable(c, CAP_SETGID), &c->fsgid, c->gid, c->egid, c->sgid, (uint32_t)a[0]);
}

static long sys_getuid(struct task *t, const uint64_t a[6])
{
    (void)a;
    return t->cred.uid;
}

static long sys_geteuid(struct task *t, const uint64_t a[6])
{
    (void)a;
    return t->cred.euid;
}

static long sys_getgid(struct task *t, const uint64_t a[6])
{
    (void)a;
    return t->cred.gid;
}

static long sys_getegid(struct task *t, const uint64_t a[6])
{
    (void)a;
    return t->cred.egid;
}

static long sys_getgroups(struct task *t, const uint64_t a[6])
{
    int size = (int)a[0], n = t->cred.ngroups;
    if (size == 0)
        return n;
    if (size < 0 || size < n)
        return -EINVAL;
    return copy_to_user(t->mm, a[1], t->cred.groups, (size_t)n * sizeof(gid_t)) ? -EFAULT : n;
}

static long sys_setgroups(struct task *t, const uint64_t a[6])
{
    int n = (int)a[0];
    if (n < 0 || n > 65536)
        return -EINVAL;
    if (!cred_capable(&t->cred, CAP_SETGID))
        return -EPERM;
    if (n > NGROUPS_GUEST)
        return -ENOMEM; /* a documented limit of vmemu's (cred.h) */
    gid_t groups[NGROUPS_GUEST];
    if (n && copy_from_user(t->mm, groups, a[1], (size_t)n * sizeof(gid_t)))
        return -EFAULT;
    for (int i = 0; i < n; i++)
        t->cred.groups[i] = groups[i];
    t->cred.ngroups = n;
    return 0;
}

void sys_cred_register(syscall_fn table[NR_SYSCALLS])
{
    table[SYS_getuid] = sys_getuid;
    table[SYS_geteuid] = sys_geteuid;
    table[SYS_getgid] = sys_getgid;
    table[SYS_getegid] = sys_getegid;
    table[SYS_getresuid] = sys_getresuid;
    table[SYS_getresgid] = sys_getresgid;
    table[SYS_setuid] = sys_setuid;
    table[SYS_setgid] = sys_setgid;
    table[SYS_setreuid] = sys_setreuid;
    table[SYS_setregid] = sys_setregid;
    table[SYS_setresuid] = sys_setresuid;
    table[SYS_setresgid] = sys_setresgid;
    table[SYS_setfsuid] = sys_setfsuid;
    table[SYS_setfsgid] = sys_setfsgid;
    table[SYS_getgroups] = sys_getgroups;
    table[SYS_setgroups] = sys_setgroups;
}
