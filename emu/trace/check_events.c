/* Walking a JSON Lines trace in memory (check_events.h). */
#include "emu/trace/check_events.h"

#include <stdio.h>
#include <string.h>

bool check_each_event(const char *text, size_t len, check_event_fn fn, void *ctx, char *why,
                      size_t why_len)
{
    struct json_arena arena;
    json_arena_init(&arena);
    const char *p = text, *end = text + len;
    size_t index = 0, lineno = 0;
    bool ok = true;
    while (ok && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        lineno++;
        if (n) {
            struct json *ev;
            const char *err = NULL;
            json_arena_reset(&arena);
            if (!json_parse(&arena, p, n, &ev, &err) || ev->type != JSON_OBJECT) {
                snprintf(why, why_len, "line %zu of the trace is not a JSON object (%s)", lineno,
                         err ? err : "another kind of value");
                ok = false;
            } else if (!fn(ev, index++, ctx)) {
                snprintf(why, why_len, "line %zu of the trace: an event that cannot be read",
                         lineno);
                ok = false;
            }
        }
        p = nl ? nl + 1 : end;
    }
    json_arena_free(&arena);
    return ok;
}

const char *event_type(const struct json *ev)
{
    return json_string(json_get(ev, "type"), "");
}

int event_pid(const struct json *ev)
{
    return (int)json_int(json_get(ev, "pid"), 0);
}

int event_tid(const struct json *ev)
{
    return (int)json_int(json_get(ev, "tid"), 0);
}
