/*
 * The vDSO and its data page, as the machine's kernel keeps them: one set
 * of frames every process maps ([vvar], [vvar_vclock], [vdso]), and the
 * time data in [vvar] kept current with the machine clock.
 */
#ifndef VMEMU_EMU_KERNEL_VDSO_H
#define VMEMU_EMU_KERNEL_VDSO_H

#include <stdint.h>

#include "loader/elf.h"

/* Check the embedded image and put it and the data page in frames; 0 or -errno. */
int vdso_init(void);
/* Give the frames back (every mm that mapped them is gone). */
void vdso_exit(void);
/* The three areas for exec (loader/elf.h's VDSO_*): NULLs before vdso_init. */
void vdso_parts(const struct vm_special_mapping *parts[NR_VDSO_PARTS]);
/*
 * The clock moved: rewrite [vvar] for the machine clock's monotonic value
 * now_ns (the paravirtual clock reads the same value) and the wall clock's epoch, as
 * Linux's update_vsyscall does at each tick.
 */
void vdso_update_time(uint64_t now_ns, uint64_t epoch_ns);

#endif
