/*
 * The JSON reader behind `vmemu report` (emu/trace/json.c): vmemu's own
 * trace records parse to the values they hold (escapes, \u sequences and
 * surrogate pairs, exact 64-bit integers, "0x..." addresses), and every
 * malformed or hostile line is refused with a reason, never a crash.
 */
#include "tests/unit/support/support.h"

#include <stdio.h>
#include <string.h>

#include "emu/trace/json.h"

static struct json *parse(struct json_arena *a, const char *text)
{
    struct json *v = NULL;
    const char *err = NULL;
    assert_true(json_parse(a, text, strlen(text), &v, &err));
    assert_null(err);
    return v;
}

static void test_trace_record(void **state)
{
    (void)state;
    struct json_arena a;
    json_arena_init(&a);
    const struct json *v =
        parse(&a, "{\"seq\":9,\"type\":\"fault\",\"t\":123456789012345,\"ip\":\"0x405017\","
                  "\"insn\":\"mov byte ptr [rax], 1\",\"func\":null,\"major\":false,"
                  "\"vma\":{\"start\":\"0x10000000\",\"name\":\"[anon]\"},"
                  "\"regions\":[[\"0x1000\",\"0x2000\",3],[]],\"x\":-1.5e3}");
    assert_int_equal(v->type, JSON_OBJECT);
    assert_int_equal(json_int(json_get(v, "seq"), -1), 9);
    assert_int_equal(json_int(json_get(v, "t"), -1), 123456789012345LL);
    assert_int_equal(json_int(json_get(v, "ip"), -1), 0x405017);
    assert_string_equal(json_string(json_get(v, "insn"), ""), "mov byte ptr [rax], 1");
    assert_int_equal(json_get(v, "func")->type, JSON_NULL);
    assert_int_equal(json_get(v, "major")->type, JSON_BOOL);
    assert_false(json_get(v, "major")->boolean);
    assert_int_equal(json_int(json_get(json_get(v, "vma"), "start"), 0), 0x10000000);
    const struct json *r = json_get(v, "regions");
    assert_int_equal(r->len, 2);
    assert_int_equal(json_int(json_at(json_at(r, 0), 2), 0), 3);
    assert_int_equal(json_at(r, 1)->len, 0);
    assert_null(json_at(r, 2));
    assert_false(json_get(v, "x")->integral);
    assert_true(json_get(v, "x")->num == -1500.0);
    assert_null(json_get(v, "absent"));
    assert_string_equal(json_string(json_get(v, "seq"), "not a string"), "not a string");
    json_arena_free(&a);
}

static void test_strings(void **state)
{
    (void)state;
    struct json_arena a;
    json_arena_init(&a);
    const struct json *v =
        parse(&a, "\"q\\\" b\\\\ s\\/ n\\n t\\t u\\u00e9 \\ud83d\\ude00 \\u0041\"");
    assert_string_equal(v->str, "q\" b\\ s/ n\n t\t u\xc3\xa9 \xf0\x9f\x98\x80 A");
    v = parse(&a, "\"nul\\u0000inside\"");
    assert_int_equal(v->len, 10);
    assert_memory_equal(v->str, "nul\0inside", 10);
    json_arena_free(&a);
}

static void test_refusals(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",          "{",         "{\"a\":}",  "{\"a\" 1}",     "{a:1}", "[1,2", "[1 2]",
        "\"open",    "\"\\x41\"", "\"\\u12\"", "\"tab\there\"", "tru",   "nul",  "-",
        "1.2.3e",    "{} {}",     "[1],",      "{\"a\":1,}",    "0x10",  "\"\\", "[\"\\u123",
        "{\"a\":[}", "@",
    };
    struct json_arena a;
    json_arena_init(&a);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct json *v = NULL;
        const char *err = NULL;
        json_arena_reset(&a);
        assert_false(json_parse(&a, bad[i], strlen(bad[i]), &v, &err));
        assert_non_null(err);
    }
    /* Deep nesting is refused, not a stack overflow. */
    char deep[4001];
    memset(deep, '[', 4000);
    deep[4000] = '\0';
    struct json *v;
    const char *err = NULL;
    assert_false(json_parse(&a, deep, 4000, &v, &err));
    assert_string_equal(err, "nested too deeply");
    json_arena_free(&a);
}

/* One arena for many lines, as `vmemu report` reads a trace: resets keep it from growing. */
static void test_arena_reuse(void **state)
{
    (void)state;
    struct json_arena a;
    json_arena_init(&a);
    char line[256];
    for (int i = 0; i < 10000; i++) {
        snprintf(line, sizeof(line), "{\"seq\":%d,\"regions\":[[1,2,3],[4,5,6],[7,8,%d]]}", i, i);
        json_arena_reset(&a);
        const struct json *v = parse(&a, line);
        assert_int_equal(json_int(json_at(json_at(json_get(v, "regions"), 2), 2), -1), i);
    }
    assert_true(a.total <= 2 * 64 * 1024);
    json_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_record),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_arena_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
