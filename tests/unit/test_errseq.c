/*
 * errseq_t as Linux's: a writeback error is reported once through every
 * file open when it happened, never twice through one, and a file opened
 * after it was reported does not see it; a later error is new to all.
 */
#include "tests/unit/support/support.h"

#include <errno.h>

#include "mm/errseq.h"

static void test_once_per_file(void **state)
{
    (void)state;
    errseq_t wb = 0;
    errseq_t a = errseq_sample(&wb), b = errseq_sample(&wb);
    assert_int_equal(errseq_check_and_advance(&wb, &a), 0);
    errseq_set(&wb, -EIO);
    assert_true(errseq_unseen(&wb));
    assert_int_equal(errseq_check_and_advance(&wb, &a), -EIO);
    assert_false(errseq_unseen(&wb));
    assert_int_equal(errseq_check_and_advance(&wb, &a), 0);    /* once through a */
    assert_int_equal(errseq_check_and_advance(&wb, &b), -EIO); /* and once through b */
    assert_int_equal(errseq_check_and_advance(&wb, &b), 0);
}

static void test_late_opener(void **state)
{
    (void)state;
    errseq_t wb = 0;
    errseq_set(&wb, -ENOSPC);
    /* Nobody saw it yet: a file opened now is told. */
    errseq_t early = errseq_sample(&wb);
    assert_int_equal(errseq_check_and_advance(&wb, &early), -ENOSPC);
    /* Seen: a file opened afterwards is not. */
    errseq_t late = errseq_sample(&wb);
    assert_int_equal(errseq_check_and_advance(&wb, &late), 0);
}

static void test_new_error_after_seen(void **state)
{
    (void)state;
    errseq_t wb = 0, f = 0;
    errseq_set(&wb, -EIO);
    assert_int_equal(errseq_check_and_advance(&wb, &f), -EIO);
    errseq_set(&wb, -EIO); /* the same errno again, after it was seen: a new error */
    assert_true(errseq_unseen(&wb));
    assert_int_equal(errseq_check_and_advance(&wb, &f), -EIO);
    errseq_set(&wb, -EFBIG);
    errseq_set(&wb, -ENOSPC); /* two before anybody looks: the last one is reported */
    assert_int_equal(errseq_check_and_advance(&wb, &f), -ENOSPC);
    assert_int_equal(errseq_check_and_advance(&wb, &f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_once_per_file),
        cmocka_unit_test(test_late_opener),
        cmocka_unit_test(test_new_error_after_seen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
