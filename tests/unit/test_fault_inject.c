/*
 * The allocation-failure injector itself: which attempts each spec fails
 * (nth, every, seeded random, after, times), that a bad spec arms nothing,
 * that __GFP_NOINJECT allocations are never failed nor counted, and that a
 * failure is charged to the line that asked for the allocation.
 */
#include "tests/unit/support/support.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/array_size.h"
#include "mm/fault_inject.h"
#include "mm/mmzone.h"
#include "mm/slab.h"

#define TRIES 40

/* Which of the next TRIES attempts fail, as a string of '.' and 'X'. */
static const char *pattern(void)
{
    static char out[TRIES + 1];
    for (int i = 0; i < TRIES; i++)
        out[i] = should_fail_alloc(GFP_KERNEL) ? 'X' : '.';
    out[TRIES] = '\0';
    return out;
}

/* Arm with spec counting from the attempts made so far (the count never restarts). */
static void arm(const char *spec)
{
    struct fail_alloc_stats st;
    fail_alloc_get_stats(&st);
    char buf[96];
    if (strncmp(spec, "nth=", 4) == 0)
        snprintf(buf, sizeof(buf), "nth=%lu", st.attempts + strtoul(spec + 4, NULL, 10));
    else if (strncmp(spec, "every=", 6) == 0)
        snprintf(buf, sizeof(buf), "%s,after=%lu", spec, st.attempts);
    else
        snprintf(buf, sizeof(buf), "%s", spec);
    assert_int_equal(fail_alloc_configure(buf), 0);
}

static void test_specs(void **state)
{
    (void)state;
    arm("nth=3");
    assert_string_equal(pattern(), "..X.....................................");
    arm("every=10");
    assert_string_equal(pattern(), ".........X.........X.........X.........X");
    arm("every=4,times=2");
    assert_string_equal(pattern(), "...X...X................................");
    /* Random: the same seed gives the same failures; about P percent of them. */
    arm("random=25,seed=7");
    char first[TRIES + 1];
    strcpy(first, pattern());
    arm("random=25,seed=7");
    assert_string_equal(pattern(), first);
    int x = 0;
    for (int i = 0; i < TRIES; i++)
        x += first[i] == 'X';
    assert_true(x > 0 && x < TRIES);
    arm("random=0.5,seed=1");
    arm("nth=0");
    assert_string_equal(pattern(), "........................................");
}

static void test_bad_specs_change_nothing(void **state)
{
    (void)state;
    arm("nth=0");
    static const char *const bad[] = {
        "",       "nth",      "nth=", "nth=-1", "every=0", "random=101", "random=5,colour=red",
        "nth=3,", "sometimes"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        assert_int_equal(fail_alloc_configure(bad[i]), -EINVAL);
    assert_string_equal(pattern(), "........................................");
}

/* The site is the caller's line; a slab's own frames are not tried twice. */
static void test_sites_and_noinject(void **state)
{
    (void)state;
    struct fail_alloc_stats before, after;
    arm("nth=0");
    fail_alloc_get_stats(&before);
    struct page *p = alloc_pages_noprof(GFP_KERNEL | __GFP_NOINJECT, 0);
    assert_non_null(p);
    __free_page(p);
    fail_alloc_get_stats(&after);
    assert_int_equal(after.attempts, before.attempts); /* not counted */

    arm("nth=1");
    void *obj = kmalloc(64, GFP_KERNEL); /* this line is the site */
    assert_null(obj);
    fail_alloc_get_stats(&after);
    assert_int_equal(after.failures, before.failures + 1);
    assert_int_equal(after.sites, before.sites + 1);
    arm("nth=1");
    assert_null(kmalloc(64, GFP_KERNEL));
    fail_alloc_get_stats(&before);
    assert_int_equal(before.sites, after.sites + 1); /* another line, another site */
    arm("nth=0");
    obj = kmalloc(64, GFP_KERNEL);
    assert_non_null(obj);
    kfree(obj);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_specs),
        cmocka_unit_test(test_bad_specs_change_nothing),
        cmocka_unit_test_setup_teardown(test_sites_and_noinject, test_alloc_setup,
                                        test_alloc_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
