/*
 * userfaultfd(2), the file side: the descriptor, its ioctls, the
 * messages read() hands out and the tasks waiting for their faults to be
 * resolved. The memory side (registration, filling) is mm/userfaultfd.c.
 */
#ifndef VMEMU_EMU_FS_USERFAULTFD_H
#define VMEMU_EMU_FS_USERFAULTFD_H

#include <stdbool.h>

#include "emu/cpu.h"
#include "mm/fault.h"

struct task;

/* /dev/userfaultfd's ioctl: USERFAULTFD_IOC_NEW (arg: userfaultfd(2)'s flags) gives a descriptor.
 */
long userfaultfd_dev_ioctl(struct task *t, unsigned int cmd, uint64_t arg);

/*
 * t's access f, at addr, was handed to a userfaultfd
 * (r->kind FAULT_USERFAULT): queue its message and put t to sleep until a
 * resolving ioctl, UFFDIO_WAKE, the file's release or a signal wakes it.
 * The caller leaves RIP on the faulting instruction.
 */
void userfaultfd_wait(struct task *t, const struct fault_result *r, uint64_t addr,
                      const struct cpu_fault *f);
/*
 * t runs again after such a sleep: true, with the fault to retry in *f
 * (FAULT_FLAG_TRIED added where Linux adds it), when the handler woke it; false when a signal
 * or its end did (the instruction simply runs again, after any handler).
 */
bool userfaultfd_resume(struct task *t, struct cpu_fault *f);
/* t ends: it no longer waits for any fault. */
void userfaultfd_task_exit(struct task *t);

#endif
