/*
 * The suite's JSON report (--json FILE): the suite, then one object per
 * case in the suite's order (its name, result, level, expected file,
 * program and arguments, one-line message, check's report, and for a case
 * that did not pass its standard error), then the totals. One case a line,
 * so that reports diff well. Strings are valid UTF-8 JSON whatever bytes
 * a program wrote.
 */
#include <stdio.h>
#include <string.h>

#include "emu/trace/check_report_text.h"
#include "emu/trace/check_suite.h"

static void json_text(FILE *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    for (size_t i = 0; i < n;) {
        size_t len = utf8_sequence(p + i, n - i);
        unsigned char c = p[i];
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else if (!len)
            fputs(REPLACEMENT_CHARACTER, out);
        else
            fwrite(p + i, 1, len, out);
        i += len ? len : 1;
    }
    fputc('"', out);
}

static void json_str(FILE *out, const char *key, const char *s)
{
    fprintf(out, ",\"%s\":", key);
    json_text(out, s ? s : "", s ? strlen(s) : 0);
}

static void one_case(FILE *out, const struct suite_case *c, const struct case_outcome *o,
                     bool times)
{
    static const char *const results[] = {"pass", "fail", "error"};
    char msg[512];
    outcome_message(o, c->expected, msg, sizeof(msg));
    fputs("{\"name\":", out);
    json_text(out, c->name, strlen(c->name));
    json_str(out, "result", results[o->result]);
    fputs(",\"level\":", out);
    if (o->level)
        json_text(out, check_level_name(o->level), strlen(check_level_name(o->level)));
    else
        fputs("null", out);
    json_str(out, "expected", c->expected);
    json_str(out, "program", c->program);
    fputs(",\"args\":[", out);
    for (int i = 0; i < c->args.n; i++) {
        fputs(i ? "," : "", out);
        json_text(out, c->args.v[i], strlen(c->args.v[i]));
    }
    fputc(']', out);
    json_str(out, "message", msg);
    fputs(",\"report\":", out);
    json_text(out, o->report ? o->report : "", o->report ? o->report_len : 0);
    if (o->result != CASE_PASS) {
        fputs(",\"log\":", out);
        json_text(out, o->log ? o->log : "", o->log ? o->log_len : 0);
    }
    if (times)
        fprintf(out, ",\"seconds\":%.3f", o->seconds);
    fputc('}', out);
}

void suite_write_json(FILE *out, const struct suite *s, const struct case_outcome *o, bool times)
{
    size_t count[3] = {0};
    fputs("{\"schema\":\"vmemu-check-report\",\"version\":1", out);
    json_str(out, "suite", s->name);
    fputs(",\"cases\":[\n", out);
    for (size_t i = 0; i < s->n; i++) {
        one_case(out, &s->cases[i], &o[i], times);
        fputs(i + 1 < s->n ? ",\n" : "\n", out);
        count[o[i].result]++;
    }
    fprintf(out, "],\"totals\":{\"cases\":%zu,\"passed\":%zu,\"failed\":%zu,\"errors\":%zu}}\n",
            s->n, count[CASE_PASS], count[CASE_FAIL], count[CASE_ERROR]);
}
