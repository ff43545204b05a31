/*
 * The page cache's radix tree against a plain array: random stores, erases,
 * marks and searches must agree with the array at every step, the tree must
 * grow and shrink its height, and every node must go back to the slab cache.
 */
#include "tests/unit/support/support.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/mm_init.h"
#include "mm/seq.h"
#include "mm/slab.h"
#include "mm/xarray.h"

#define N 20000 /* indices of the model array; more than 64^2 */

static void *model[N];
static unsigned char model_marks[N]; /* bit m: mark m */

static int setup(void **state)
{
    (void)state;
    memset(model, 0, sizeof(model));
    memset(model_marks, 0, sizeof(model_marks));
    return mm_init(&(struct mm_settings){.ram_bytes = 32 << 20});
}

static int teardown(void **state)
{
    (void)state;
    mm_exit();
    return 0;
}

/* Active objects of one slab cache, from /proc/slabinfo's text. */
static unsigned long slab_active(const char *cache)
{
    struct seq s;
    seq_init(&s);
    slabinfo_show(&s);
    assert_false(s.overflow);
    unsigned long active = 0;
    char *save = NULL;
    for (char *line = strtok_r(s.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char name[64];
        unsigned long n;
        if (sscanf(line, "%63s %lu", name, &n) == 2 && strcmp(name, cache) == 0)
            active = n;
    }
    seq_free(&s);
    return active;
}

static void *entry_for(unsigned long i)
{
    return (void *)(uintptr_t)((i << 4) | 4); /* any non-NULL pointer value */
}

/* The model's answer to xa_find. */
static long model_find(unsigned long from, unsigned long max, xa_mark_t filter)
{
    for (unsigned long i = from; i < max && i < N; i++)
        if (model[i] && (filter == XA_PRESENT || (model_marks[i] >> filter & 1)))
            return (long)i;
    return -1;
}

static void check_find(struct xarray *xa, unsigned long from, unsigned long max, xa_mark_t f)
{
    unsigned long idx = from;
    void *e = xa_find(xa, &idx, max, f);
    long want = model_find(from, max, f);
    if (want < 0) {
        if (e)
            fail_msg("find(%lu, %lu, %u) found %lu, want none", from, max, f, idx);
        return;
    }
    if (!e || idx != (unsigned long)want)
        fail_msg("find(%lu, %lu, %u) = %lu (%p), want %ld", from, max, f, idx, e, want);
    assert_ptr_equal(e, model[want]);
}

static void random_op(struct xarray *xa, unsigned long i, int op)
{
    xa_mark_t m = (xa_mark_t)(rand() % XA_MAX_MARKS);
    switch (op) {
    case 0:
    case 1:
    case 2:
        assert_int_equal(xa_store(xa, i, entry_for(i)), 0);
        model[i] = entry_for(i);
        break;
    case 3:
    case 4:
        assert_ptr_equal(xa_erase(xa, i), model[i]);
        model[i] = NULL;
        model_marks[i] = 0;
        break;
    case 5:
        xa_set_mark(xa, i, m);
        if (model[i])
            model_marks[i] |= (unsigned char)(1u << m);
        break;
    default:
        xa_clear_mark(xa, i, m);
        model_marks[i] &= (unsigned char)~(1u << m);
        break;
    }
}

static bool model_any_mark(xa_mark_t m)
{
    for (unsigned long i = 0; i < N; i++)
        if (model_marks[i] >> m & 1)
            return true;
    return false;
}

static void test_random_against_array(void **state)
{
    (void)state;
    struct xarray xa;
    xa_init(&xa);
    srand(12345);
    for (int step = 0; step < 200000; step++) {
        /* Clustered and scattered indices, so nodes fill and empty. */
        unsigned long i = step % 3 ? (unsigned long)(rand() % 300) : (unsigned long)(rand() % N);
        random_op(&xa, i, rand() % 7);
        unsigned long j = (unsigned long)(rand() % N);
        assert_ptr_equal(xa_load(&xa, j), model[j]);
        for (xa_mark_t m = 0; m < XA_MAX_MARKS; m++)
            assert_int_equal(xa_get_mark(&xa, j, m), model_marks[j] >> m & 1);
        if (step % 97 == 0) {
            unsigned long from = (unsigned long)(rand() % N);
            unsigned long max = from + (unsigned long)(rand() % 5000) + 1;
            check_find(&xa, from, max, XA_PRESENT);
            check_find(&xa, from, max, (xa_mark_t)(rand() % XA_MAX_MARKS));
            check_find(&xa, 0, ULONG_MAX, XA_MARK_0);
        }
        if (step % 5003 == 0)
            for (xa_mark_t m = 0; m < XA_MAX_MARKS; m++)
                assert_int_equal(xa_marked(&xa, m), model_any_mark(m));
    }
    /* Every entry the model holds, in order, through the iterator. */
    unsigned long idx, expect = 0;
    void *e;
    xa_for_each_range(&xa, idx, e, 0, ULONG_MAX, XA_PRESENT)
    {
        long want = model_find(expect, N, XA_PRESENT);
        assert_true(want >= 0);
        assert_int_equal(idx, want);
        expect = idx + 1;
    }
    assert_int_equal(model_find(expect, N, XA_PRESENT), -1);
    /* Erasing everything gives every node back. */
    for (unsigned long i = 0; i < N; i++)
        assert_ptr_equal(xa_erase(&xa, i), model[i]);
    assert_true(xa_empty(&xa));
    assert_int_equal(xa_nr_nodes(), 0);
    assert_int_equal(slab_active("radix_tree_node"), 0);
}

static void test_height_grows_and_shrinks(void **state)
{
    (void)state;
    struct xarray xa;
    xa_init(&xa);
    assert_int_equal(xa_store(&xa, 5, entry_for(5)), 0);
    assert_int_equal(xa_nr_nodes(), 1); /* one leaf covers 0..63 */
    assert_int_equal(xa_store(&xa, 64 * 64, entry_for(64 * 64)), 0);
    /* Three levels now: a root, and two paths of two nodes each below it. */
    assert_int_equal(xa_nr_nodes(), 5);
    assert_ptr_equal(xa_load(&xa, 5), entry_for(5));
    xa_set_mark(&xa, 64 * 64, XA_MARK_1);
    assert_true(xa_marked(&xa, XA_MARK_1));
    assert_ptr_equal(xa_erase(&xa, 64 * 64), entry_for(64 * 64));
    assert_false(xa_marked(&xa, XA_MARK_1)); /* the mark went with the entry */
    assert_int_equal(xa_nr_nodes(), 1);      /* back to a single leaf */
    /* The largest index works and sits at the end of every search. */
    assert_int_equal(xa_store(&xa, ULONG_MAX, entry_for(7)), 0);
    unsigned long idx = 6;
    assert_ptr_equal(xa_find(&xa, &idx, ULONG_MAX, XA_PRESENT), NULL); /* max is exclusive */
    xa_set_mark(&xa, ULONG_MAX, XA_MARK_2);
    xa_set_mark(&xa, 5, XA_MARK_0);
    idx = 6;
    assert_int_equal(xa_store(&xa, ULONG_MAX - 1, entry_for(8)), 0);
    assert_ptr_equal(xa_find(&xa, &idx, ULONG_MAX, XA_PRESENT), entry_for(8));
    assert_int_equal(idx, ULONG_MAX - 1);
    /* Marking an empty index does nothing. */
    xa_set_mark(&xa, 1000, XA_MARK_0);
    assert_false(xa_get_mark(&xa, 1000, XA_MARK_0));
    assert_true(xa_nr_nodes() > 1);
    xa_destroy(&xa);
    assert_true(xa_empty(&xa));
    assert_int_equal(xa_nr_nodes(), 0);
    assert_int_equal(slab_active("radix_tree_node"), 0);
}

/* A search for marked entries must not visit unmarked subtrees' entries. */
static void test_marked_search_skips(void **state)
{
    (void)state;
    struct xarray xa;
    xa_init(&xa);
    for (unsigned long i = 0; i < 100000; i++)
        assert_int_equal(xa_store(&xa, i, entry_for(i)), 0);
    xa_set_mark(&xa, 70000, XA_MARK_0);
    xa_set_mark(&xa, 99999, XA_MARK_0);
    unsigned long idx = 0;
    assert_ptr_equal(xa_find(&xa, &idx, ULONG_MAX, XA_MARK_0), entry_for(70000));
    assert_int_equal(idx, 70000);
    idx++;
    assert_ptr_equal(xa_find(&xa, &idx, ULONG_MAX, XA_MARK_0), entry_for(99999));
    idx++;
    assert_null(xa_find(&xa, &idx, ULONG_MAX, XA_MARK_0));
    xa_clear_mark(&xa, 70000, XA_MARK_0);
    xa_clear_mark(&xa, 99999, XA_MARK_0);
    assert_false(xa_marked(&xa, XA_MARK_0));
    xa_destroy(&xa);
    assert_int_equal(xa_nr_nodes(), 0);
    /* The index is the cache's business alone: the MMU never hears of it. */
    assert_int_equal(test_tlb_flushes, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_random_against_array, setup, teardown),
        cmocka_unit_test_setup_teardown(test_height_grows_and_shrinks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_marked_search_skips, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
