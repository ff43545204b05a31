/*
 * emu/tcg_exit_checks.c: the no_exit_request flag's offset is read from
 * check_exit_request's code only when the code has Unicorn 2.1.1's shape,
 * and it is found in the Unicorn vmemu is built with (the CI's 2.1.1: if
 * a Unicorn upgrade moves or drops the flag, this test says so, and vmemu
 * runs with the per-access tests again, slower but correct).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "emu/tcg_exit_checks.h"

/* Unicorn 2.1.1's (Debian 13's build): endbr64; mov 0x9970(%rdi),%rax; cmpb $0,0x7da(%rax); je */
static const unsigned char v211[] = {0xf3, 0x0f, 0x1e, 0xfa, 0x48, 0x8b, 0x87, 0x70, 0x99, 0x00,
                                     0x00, 0x80, 0xb8, 0xda, 0x07, 0x00, 0x00, 0x00, 0x74, 0x04};

static void test_shape_of_211(void **state)
{
    (void)state;
    assert_int_equal(tcg_exit_flag_offset_in(v211), 0x7da);
    /* Without endbr64 (a build without CET) and with a near je. */
    unsigned char plain[32];
    memcpy(plain, v211 + 4, sizeof(v211) - 4);
    plain[14] = 0x0f, plain[15] = 0x84;
    assert_int_equal(tcg_exit_flag_offset_in(plain), 0x7da);
}

static void test_other_shapes_refused(void **state)
{
    (void)state;
    unsigned char c[sizeof(v211)];
    memcpy(c, v211, sizeof(c));
    c[17] = 0x01; /* compares with 1, not 0 */
    assert_int_equal(tcg_exit_flag_offset_in(c), -1);
    memcpy(c, v211, sizeof(c));
    c[18] = 0x75; /* jne: the tests would be made when the flag is set */
    assert_int_equal(tcg_exit_flag_offset_in(c), -1);
    memcpy(c, v211, sizeof(c));
    c[6] = 0x47; /* from another register */
    assert_int_equal(tcg_exit_flag_offset_in(c), -1);
    memcpy(c, v211, sizeof(c));
    c[15] = 0x01; /* 0x107da: past any uc_struct */
    assert_int_equal(tcg_exit_flag_offset_in(c), -1);
    /* Unicorn 2.1.3 and later call a helper instead: a push comes first. */
    static const unsigned char helper[] = {0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48, 0x89, 0xfd,
                                           0x53, 0x48, 0x83, 0xec, 0x08, 0x48, 0x8b, 0x87,
                                           0x70, 0x99, 0x00, 0x00, 0x90, 0x90};
    assert_int_equal(tcg_exit_flag_offset_in(helper), -1);
}

static void test_found_in_the_loaded_unicorn(void **state)
{
    (void)state;
    assert_true(tcg_exit_flag_offset() > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_of_211),
        cmocka_unit_test(test_other_shapes_refused),
        cmocka_unit_test(test_found_in_the_loaded_unicorn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
