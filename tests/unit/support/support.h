/* What unit tests share: cmocka and the counting arch hooks. */
#ifndef VMEMU_TESTS_SUPPORT_H
#define VMEMU_TESTS_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mm/arch.h"

extern unsigned long test_tlb_flushes;
extern unsigned long test_code_flushes;

#endif
