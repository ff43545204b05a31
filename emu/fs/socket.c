/*
 * Sockets: vmemu's machine has no network stack and no socket family at
 * all, so no guest descriptor is ever a socket. socket(2) and
 * socketpair(2) fail with EAFNOSUPPORT for every family, as a kernel
 * answers for a family it was built without (a C library's name service
 * then finds no nscd and reads /etc/passwd itself). The calls that act on
 * a socket answer as Linux does for a descriptor that is none: EBADF for
 * one that is not open, ENOTSOCK otherwise. This is a documented refusal
 * (docs/loading.md), not an unknown call, so it is not reported.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/syscall.h>

#include "emu/kernel/syscall.h"
#include "emu/kernel/task.h"

static long sys_socket(struct task *t, const uint64_t a[6])
{
    (void)t, (void)a;
    return -EAFNOSUPPORT;
}

/* Every call whose first argument must be a socket. */
static long sys_not_a_socket(struct task *t, const uint64_t a[6])
{
    return fd_get(t, (int)a[0]) ? -ENOTSOCK : -EBADF;
}

void sys_socket_register(syscall_fn table[NR_SYSCALLS])
{
    static const int on_socket[] = {
        SYS_connect,     SYS_accept,      SYS_accept4,    SYS_sendto,     SYS_recvfrom, SYS_sendmsg,
        SYS_recvmsg,     SYS_sendmmsg,    SYS_recvmmsg,   SYS_shutdown,   SYS_bind,     SYS_listen,
        SYS_getsockname, SYS_getpeername, SYS_setsockopt, SYS_getsockopt,
    };
    table[SYS_socket] = sys_socket;
    table[SYS_socketpair] = sys_socket;
    for (size_t i = 0; i < sizeof(on_socket) / sizeof(on_socket[0]); i++)
        table[on_socket[i]] = sys_not_a_socket;
}
