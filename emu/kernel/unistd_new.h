/*
 * Linux's x86-64 system call numbers newer than the build host's kernel
 * headers (Debian 12's stop at 450): the table as of Linux 6.18
 * (arch/x86/entry/syscalls/syscall_64.tbl), so that every number up to
 * the current table has a name and vmemu can implement and decode them.
 * Both spellings are defined, __NR_name and glibc's SYS_name, each only
 * when the host's headers lack it. CMakeLists.txt reads the names from
 * here too (lines of the form "#define __NR_name number").
 */
#ifndef VMEMU_EMU_KERNEL_UNISTD_NEW_H
#define VMEMU_EMU_KERNEL_UNISTD_NEW_H

#include <sys/syscall.h>

#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif
#ifndef SYS_cachestat
#define SYS_cachestat __NR_cachestat
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 __NR_fchmodat2
#endif
#ifndef __NR_map_shadow_stack
#define __NR_map_shadow_stack 453
#endif
#ifndef SYS_map_shadow_stack
#define SYS_map_shadow_stack __NR_map_shadow_stack
#endif
#ifndef __NR_futex_wake
#define __NR_futex_wake 454
#endif
#ifndef SYS_futex_wake
#define SYS_futex_wake __NR_futex_wake
#endif
#ifndef __NR_futex_wait
#define __NR_futex_wait 455
#endif
#ifndef SYS_futex_wait
#define SYS_futex_wait __NR_futex_wait
#endif
#ifndef __NR_futex_requeue
#define __NR_futex_requeue 456
#endif
#ifndef SYS_futex_requeue
#define SYS_futex_requeue __NR_futex_requeue
#endif
#ifndef __NR_statmount
#define __NR_statmount 457
#endif
#ifndef SYS_statmount
#define SYS_statmount __NR_statmount
#endif
#ifndef __NR_listmount
#define __NR_listmount 458
#endif
#ifndef SYS_listmount
#define SYS_listmount __NR_listmount
#endif
#ifndef __NR_lsm_get_self_attr
#define __NR_lsm_get_self_attr 459
#endif
#ifndef SYS_lsm_get_self_attr
#define SYS_lsm_get_self_attr __NR_lsm_get_self_attr
#endif
#ifndef __NR_lsm_set_self_attr
#define __NR_lsm_set_self_attr 460
#endif
#ifndef SYS_lsm_set_self_attr
#define SYS_lsm_set_self_attr __NR_lsm_set_self_attr
#endif
#ifndef __NR_lsm_list_modules
#define __NR_lsm_list_modules 461
#endif
#ifndef SYS_lsm_list_modules
#define SYS_lsm_list_modules __NR_lsm_list_modules
#endif
#ifndef __NR_mseal
#define __NR_mseal 462
#endif
#ifndef SYS_mseal
#define SYS_mseal __NR_mseal
#endif
#ifndef __NR_setxattrat
#define __NR_setxattrat 463
#endif
#ifndef SYS_setxattrat
#define SYS_setxattrat __NR_setxattrat
#endif
#ifndef __NR_getxattrat
#define __NR_getxattrat 464
#endif
#ifndef SYS_getxattrat
#define SYS_getxattrat __NR_getxattrat
#endif
#ifndef __NR_listxattrat
#define __NR_listxattrat 465
#endif
#ifndef SYS_listxattrat
#define SYS_listxattrat __NR_listxattrat
#endif
#ifndef __NR_removexattrat
#define __NR_removexattrat 466
#endif
#ifndef SYS_removexattrat
#define SYS_removexattrat __NR_removexattrat
#endif
#ifndef __NR_open_tree_attr
#define __NR_open_tree_attr 467
#endif
#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr __NR_open_tree_attr
#endif
#ifndef __NR_file_getattr
#define __NR_file_getattr 468
#endif
#ifndef SYS_file_getattr
#define SYS_file_getattr __NR_file_getattr
#endif
#ifndef __NR_file_setattr
#define __NR_file_setattr 469
#endif
#ifndef SYS_file_setattr
#define SYS_file_setattr __NR_file_setattr
#endif

#endif
