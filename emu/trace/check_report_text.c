/*
 * One-line messages and UTF-8 for the suite's reports (check_suite.h,
 * check_report_text.h). A case's message is check's verdict without the
 * "vmemu check: EXPECTED: " it starts with, and the first line of its
 * details: "FAIL (summary): 1 difference; anon-new faults in heap:
 * expected 1024, got 1280 (+256, +25.0%)".
 */
#include "emu/trace/check_report_text.h"

#include <stdio.h>
#include <string.h>

#include "emu/trace/check_suite.h"

size_t utf8_sequence(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (!len || len > n || s[0] > 0xf4)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    /* no overlong forms, no surrogates, nothing past U+10FFFF */
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
        return 0;
    return len;
}

/* Line k (from 0) of text, without its newline, into buf. */
static void line_of(const char *text, int k, char *buf, size_t len)
{
    buf[0] = '\0';
    for (; text && *text && k > 0; k--) {
        const char *nl = strchr(text, '\n');
        text = nl ? nl + 1 : NULL;
    }
    if (!text)
        return;
    size_t n = strcspn(text, "\n");
    snprintf(buf, len, "%.*s", (int)n, text);
}

void outcome_message(const struct case_outcome *o, const char *expected, char *buf, size_t len)
{
    char first[512], second[512];
    line_of(o->report, 0, first, sizeof(first));
    line_of(o->report, 1, second, sizeof(second));
    const char *verdict = first;
    size_t prefix = strlen("vmemu check: ");
    if (!strncmp(verdict, "vmemu check: ", prefix))
        verdict += prefix;
    size_t elen = strlen(expected);
    if (!strncmp(verdict, expected, elen) && !strncmp(verdict + elen, ": ", 2))
        verdict += elen + 2;
    const char *detail = second;
    while (*detail == ' ')
        detail++;
    if (strncmp(second, "  ", 2) != 0)
        detail = "";
    size_t dn = strlen(detail);
    if (dn && detail[dn - 1] == ':')
        dn--;
    if (o->why[0])
        snprintf(buf, len, "%s%s%s", o->why, verdict[0] ? "; " : "", verdict);
    else if (!verdict[0])
        snprintf(buf, len, "vmemu check said nothing");
    else
        snprintf(buf, len, "%s%s%.*s", verdict, dn ? "; " : "", (int)dn, detail);
}
