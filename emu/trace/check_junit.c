/*
 * The suite's JUnit XML report (--junit FILE), the form CI systems read:
 * one <testsuite> of one <testcase> per case, in the suite's order; a
 * case that differs has a <failure> (its type the level), one that could
 * not be checked an <error>; both carry check's report as text and the
 * case's standard error as <system-err>; a case that passes has its
 * verdict as <system-out>. Text is escaped for XML 1.0: markup
 * characters as entities, control characters (which XML 1.0 cannot hold)
 * and invalid UTF-8 as U+FFFD.
 */
#include <stdio.h>
#include <string.h>

#include "emu/trace/check_report_text.h"
#include "emu/trace/check_suite.h"

/* n bytes of s as XML character data or (attr) an attribute value. */
static void xml_text(FILE *out, const char *s, size_t n, bool attr)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_sequence(p + i, n - i);
        unsigned char c = p[i];
        if (c == '&')
            fputs("&amp;", out);
        else if (c == '<')
            fputs("&lt;", out);
        else if (c == '>')
            fputs("&gt;", out);
        else if (c == '"' && attr)
            fputs("&quot;", out);
        else if ((c == '\n' || c == '\t' || c == '\r') && attr)
            fprintf(out, "&#%d;", c);
        else if (!len || (c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f)
            fputs(REPLACEMENT_CHARACTER, out);
        else
            fwrite(p + i, 1, len, out);
        i += len ? len : 1;
    }
}

static void xml_string(FILE *out, const char *s)
{
    xml_text(out, s ? s : "", s ? strlen(s) : 0, true);
}

static void element(FILE *out, const char *name, const char *text, size_t len)
{
    fprintf(out, "      <%s>", name);
    xml_text(out, text ? text : "", text ? len : 0, false);
    fprintf(out, "</%s>\n", name);
}

static void testcase(FILE *out, const struct suite *s, const struct suite_case *c,
                     const struct case_outcome *o, bool times)
{
    fputs("    <testcase classname=\"vmemu-check.", out);
    xml_string(out, s->name);
    fputs("\" name=\"", out);
    xml_string(out, c->name);
    if (times)
        fprintf(out, "\" time=\"%.3f", o->seconds);
    fputs("\">\n", out);
    if (o->result == CASE_PASS) {
        element(out, "system-out", o->report, o->report_len);
        fputs("    </testcase>\n", out);
        return;
    }
    char msg[512];
    outcome_message(o, c->expected, msg, sizeof(msg));
    const char *tag = o->result == CASE_FAIL ? "failure" : "error";
    fprintf(out, "      <%s message=\"", tag);
    xml_string(out, msg);
    fputs("\" type=\"", out);
    xml_string(out, o->result == CASE_FAIL ? check_level_name(o->level) : "error");
    fputs("\">", out);
    if (o->why[0]) {
        xml_string(out, o->why);
        fputc('\n', out);
    }
    xml_text(out, o->report ? o->report : "", o->report ? o->report_len : 0, false);
    fprintf(out, "</%s>\n", tag);
    element(out, "system-err", o->log, o->log_len);
    fputs("    </testcase>\n", out);
}

void suite_write_junit(FILE *out, const struct suite *s, const struct case_outcome *o, bool times)
{
    size_t fail = 0, error = 0;
    double total = 0;
    for (size_t i = 0; i < s->n; i++) {
        fail += o[i].result == CASE_FAIL;
        error += o[i].result == CASE_ERROR;
        total += o[i].seconds;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out,
            "<testsuites name=\"vmemu check\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
            s->n, fail, error);
    fputs("  <testsuite name=\"", out);
    xml_string(out, s->name);
    fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\"", s->n, fail,
            error);
    if (times)
        fprintf(out, " time=\"%.3f\"", total);
    fputs(">\n", out);
    for (size_t i = 0; i < s->n; i++)
        testcase(out, s, &s->cases[i], &o[i], times);
    fputs("  </testsuite>\n</testsuites>\n", out);
}
