/*
 * VMEMU_OPTIONS's word splitting (emu/env_options.c): words split as sh
 * splits them, quotes and backslashes kept or removed as sh does, nothing
 * expanded, and an unterminated quote or a trailing backslash refused.
 */
#include "tests/unit/support/support.h"

#include <stdlib.h>
#include <string.h>

#include "emu/env_options.h"

/* s splits into exactly the n words given. */
static void check_split(const char *s, int n, const char *const want[])
{
    char **argv = NULL;
    int argc = -1;
    const char *why = NULL;
    assert_int_equal(split_words(s, &argv, &argc, &why), 0);
    assert_null(why);
    assert_int_equal(argc, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(argv[i], want[i]);
    assert_null(argv[n]);
    free(argv);
}

static void check_refused(const char *s, const char *reason)
{
    char **argv = NULL;
    int argc = -1;
    const char *why = NULL;
    assert_int_equal(split_words(s, &argv, &argc, &why), -1);
    assert_non_null(why);
    assert_string_equal(why, reason);
    assert_null(argv);
}

static void test_blanks(void **state)
{
    (void)state;
    check_split("", 0, NULL);
    check_split(" \t\n ", 0, NULL);
    check_split("--quiet", 1, (const char *[]){"--quiet"});
    check_split("  --ram 64M\t--quiet\n", 3, (const char *[]){"--ram", "64M", "--quiet"});
    check_split("a b c d e f", 6, (const char *[]){"a", "b", "c", "d", "e", "f"});
}

static void test_quotes(void **state)
{
    (void)state;
    check_split("--root '/a dir/x'", 2, (const char *[]){"--root", "/a dir/x"});
    check_split("--root=\"/a dir\"/x", 1, (const char *[]){"--root=/a dir/x"});
    check_split("'' \"\"", 2, (const char *[]){"", ""});
    check_split("'a\"b' \"c'd\"", 2, (const char *[]){"a\"b", "c'd"});
    /* In '...' a backslash is itself; in "..." only before " \ $ ` it escapes. */
    check_split("'a\\b' \"a\\b\" \"a\\\"b\\\\\"", 3, (const char *[]){"a\\b", "a\\b", "a\"b\\"});
    check_split("\"a\\$b\\`c\"", 1, (const char *[]){"a$b`c"});
    check_split("a\\ b c\\'d", 2, (const char *[]){"a b", "c'd"});
}

static void test_no_expansion(void **state)
{
    (void)state;
    check_split("--trace-file=$HOME/~/*.txt", 1, (const char *[]){"--trace-file=$HOME/~/*.txt"});
    check_split("\"$x\" `y`", 2, (const char *[]){"$x", "`y`"});
}

static void test_refused(void **state)
{
    (void)state;
    check_refused("--root '/a dir", "unterminated ' quote");
    check_refused("--root \"/a dir", "unterminated \" quote");
    check_refused("--quiet \\", "a backslash ends it");
    check_refused("\"a\\", "unterminated \" quote");
}

/* The worst case for the buffer: one-character words, and words that are all quotes. */
static void test_dense(void **state)
{
    (void)state;
    check_split("a", 1, (const char *[]){"a"});
    check_split("a b", 2, (const char *[]){"a", "b"});
    check_split("'' '' ''", 3, (const char *[]){"", "", ""});
    check_split("x''y", 1, (const char *[]){"xy"});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blanks),       cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_no_expansion), cmocka_unit_test(test_refused),
        cmocka_unit_test(test_dense),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
