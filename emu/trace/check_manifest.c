/*
 * Loading a suite (check_suite.h): a manifest, or a directory of expected
 * files whose headers say how to run them. Every mistake in a manifest is
 * reported with its line and refused: a suite that silently skipped a
 * case would pass for the wrong reason.
 */
#include "emu/trace/check_suite.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "emu/trace/check_header.h"

#define DEFAULT_TIMEOUT 300

struct loader {
    const char *path; /* the manifest */
    char *dir;        /* its directory */
    char *programs;   /* where programs are */
    struct suite_case defaults;
    struct suite *s;
    unsigned long line;
    char *why;
    size_t why_len;
};

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? strndup(path, (size_t)(slash - path + (slash == path))) : strdup(".");
}

/* path relative to dir, unless absolute. */
static char *join(const char *dir, const char *path)
{
    if (path[0] == '/' || !dir)
        return strdup(path);
    size_t n = strlen(dir) + strlen(path) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, path);
    return p;
}

static bool fail(struct loader *l, const char *fmt, const char *arg)
{
    char msg[256];
    snprintf(msg, sizeof(msg), fmt, arg);
    snprintf(l->why, l->why_len, "%s:%lu: %s", l->path, l->line, msg);
    return false;
}

static bool set_string(struct loader *l, char **slot, const char *value)
{
    free(*slot);
    if (!(*slot = strdup(value)))
        return fail(l, "%s", "out of memory");
    return true;
}

static bool set_words(struct loader *l, struct words *w, const char *value)
{
    const char *why;
    words_free(w);
    if (!words_split(value, w, &why))
        return fail(l, "%s", why);
    return true;
}

/* One "key = value" for case c (the defaults when c is &l->defaults). */
static bool set_key(struct loader *l, struct suite_case *c, const char *key, const char *value)
{
    bool defaults = c == &l->defaults;
    if (!strcmp(key, "programs") && defaults) {
        free(l->programs);
        return (l->programs = join(l->dir, value)) || fail(l, "%s", "out of memory");
    }
    if (!strcmp(key, "program") && !defaults)
        return set_string(l, &c->program, value);
    if (!strcmp(key, "args") && !defaults)
        return set_words(l, &c->args, value);
    if (!strcmp(key, "expected") && !defaults)
        return set_string(l, &c->expected, value);
    if (!strcmp(key, "options"))
        return (c->has_options = true) && set_words(l, &c->options, value);
    if (!strcmp(key, "stdin"))
        return set_string(l, &c->stdin_path, value);
    if (!strcmp(key, "level"))
        return (c->level = check_level_by_name(value)) ||
               fail(l, "level '%s' is not exact, normalized or summary", value);
    if (!strcmp(key, "normalize")) {
        unsigned int flags;
        return normalize_parse(value, &flags) ? set_string(l, &c->normalize, value)
                                              : fail(l,
                                                     "normalize '%s' is not frames or "
                                                     "frames,addresses",
                                                     value);
    }
    if (!strcmp(key, "tolerance"))
        return set_string(l, &c->tolerance, value);
    if (!strcmp(key, "timeout")) {
        char *end;
        long t = strtol(value, &end, 10);
        if (end == value || *end || t < 1 || t > 86400)
            return fail(l, "timeout '%s' is not a number of seconds", value);
        c->timeout = (int)t;
        return true;
    }
    return fail(
        l, defaults ? "'%s' is not a key before the first [case]" : "'%s' is not a key of a case",
        key);
}

static char *copy_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static bool copy_words(struct words *to, const struct words *from)
{
    for (int i = 0; i < from->n; i++)
        if (!words_add(to, from->v[i]))
            return false;
    return true;
}

/* A new case named name, with the defaults. */
static bool new_case(struct loader *l, const char *name)
{
    struct suite *s = l->s;
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->cases[i].name, name))
            return fail(l, "a second case named '%s'", name);
    struct suite_case *v = realloc(s->cases, (s->n + 1) * sizeof(*v));
    if (!v)
        return fail(l, "%s", "out of memory");
    s->cases = v;
    struct suite_case *c = &s->cases[s->n++];
    const struct suite_case *d = &l->defaults;
    memset(c, 0, sizeof(*c));
    c->name = strdup(name);
    c->stdin_path = copy_or_null(d->stdin_path);
    c->normalize = copy_or_null(d->normalize);
    c->tolerance = copy_or_null(d->tolerance);
    c->level = d->level;
    c->timeout = d->timeout;
    c->has_options = d->has_options;
    if (!c->name || !copy_words(&c->options, &d->options))
        return fail(l, "%s", "out of memory");
    return true;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static bool parse_line(struct loader *l, char *text)
{
    char *line = trim(text);
    if (!*line || *line == '#')
        return true;
    size_t n = strlen(line);
    if (line[0] == '[') {
        const char *bad = strpbrk(line + 1, "[/ \t");
        if (line[n - 1] != ']' || n < 3 || (bad && bad < line + n - 1))
            return fail(l, "'%s' is not a [name] of a case (no spaces, no /)", line);
        line[n - 1] = '\0';
        return new_case(l, line + 1);
    }
    char *eq = strchr(line, '=');
    if (!eq)
        return fail(l, "'%s' is not 'key = value'", line);
    *eq = '\0';
    struct suite_case *c = l->s->n ? &l->s->cases[l->s->n - 1] : &l->defaults;
    return set_key(l, c, trim(line), trim(eq + 1));
}

/* Fill in what a case leaves to defaults: its program's path, expected file, stdin. */
static bool complete_case(struct loader *l, struct suite_case *c)
{
    if (!c->program && !(c->program = strdup(c->name)))
        return false;
    if (!c->expected) {
        size_t n = strlen(c->name) + sizeof(".expected");
        if (!(c->expected = malloc(n)))
            return false;
        snprintf(c->expected, n, "%s.expected", c->name);
    }
    char *e = join(l->dir, c->expected);
    free(c->expected);
    c->expected = e;
    if (c->stdin_path) {
        char *p = join(l->dir, c->stdin_path);
        free(c->stdin_path);
        c->stdin_path = p;
    } else {
        c->stdin_path = strdup("/dev/null");
    }
    c->program_path = join(l->programs ? l->programs : l->dir, c->program);
    if (!c->timeout)
        c->timeout = DEFAULT_TIMEOUT;
    return c->expected && c->stdin_path && c->program_path;
}

void suite_case_free(struct suite_case *c)
{
    free(c->name), free(c->program), free(c->program_path), free(c->stdin_path);
    free(c->expected), free(c->normalize), free(c->tolerance);
    words_free(&c->args);
    words_free(&c->options);
}

void suite_free(struct suite *s)
{
    for (size_t i = 0; i < s->n; i++)
        suite_case_free(&s->cases[i]);
    free(s->cases);
    free(s->name);
    memset(s, 0, sizeof(*s));
}

/* The directory's own name ("expected" for tests/expected/, and for "." there). */
static char *dir_name(const char *dir)
{
    char *copy = realpath(dir, NULL);
    if (!copy)
        copy = strdup(dir);
    if (!copy)
        return NULL;
    size_t n = strlen(copy);
    while (n > 1 && copy[n - 1] == '/')
        copy[--n] = '\0';
    const char *slash = strrchr(copy, '/');
    char *name = strdup(slash && slash[1] ? slash + 1 : copy);
    free(copy);
    return name;
}

static bool load_manifest(struct loader *l, FILE *f, const char *programs)
{
    char *text = NULL;
    size_t cap = 0;
    bool ok = true;
    l->defaults.timeout = DEFAULT_TIMEOUT;
    while (ok && getline(&text, &cap, f) >= 0) {
        l->line++;
        text[strcspn(text, "\n")] = '\0';
        ok = parse_line(l, text);
    }
    free(text);
    if (ok && programs) {
        free(l->programs);
        ok = (l->programs = strdup(programs)) != NULL;
    }
    for (size_t i = 0; ok && i < l->s->n; i++)
        ok = complete_case(l, &l->s->cases[i]) || fail(l, "%s", "out of memory");
    if (ok && !l->s->n) {
        snprintf(l->why, l->why_len, "%s: no [case] in it", l->path);
        ok = false;
    }
    return ok;
}

/* A case from an expected file's header (a directory without a manifest). */
static bool case_from_header(struct loader *l, const char *file, const char *programs)
{
    char *path = join(l->dir, file);
    FILE *f = path ? fopen(path, "re") : NULL;
    char text[16384];
    size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = '\0';
    char *blank = strstr(text, "\n\n"); /* the header alone: its body may be long */
    struct expected_header h;
    const char *body, *err = NULL;
    char why[256];
    size_t hlen = blank ? (size_t)(blank - text) + 2 : n;
    bool ok = path && f && expected_parse(text, hlen, &h, &body, why, sizeof(why));
    if (!ok) {
        snprintf(l->why, l->why_len, "%s: %s", path ? path : file, f ? why : strerror(errno));
        free(path);
        return false;
    }
    char name[256];
    snprintf(name, sizeof(name), "%.*s", (int)(strlen(file) - strlen(".expected")), file);
    ok = new_case(l, name);
    struct suite_case *c = &l->s->cases[l->s->n - 1];
    ok = ok && words_split(h.args, &c->args, &err) && (c->program = strdup(h.program)) &&
         (c->expected = strdup(file)) && complete_case(l, c);
    /*
     * As recorded (relative to the current directory), or the program of
     * that base name in --programs: the file is then the same wherever the
     * programs were built, and check names programs by base name anyway.
     */
    if (ok) {
        const char *slash = strrchr(c->program, '/');
        free(c->program_path);
        c->program_path =
            programs ? join(programs, slash ? slash + 1 : c->program) : strdup(c->program);
        ok = c->program_path != NULL;
    }
    if (!ok)
        snprintf(l->why, l->why_len, "%s: %s", path, err ? err : "out of memory");
    expected_header_free(&h);
    free(path);
    return ok;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool load_directory(struct loader *l, const char *programs)
{
    DIR *d = opendir(l->dir);
    if (!d) {
        snprintf(l->why, l->why_len, "cannot read %s: %s", l->dir, strerror(errno));
        return false;
    }
    struct words files = {0};
    bool ok = true;
    for (struct dirent *e; ok && (e = readdir(d));) {
        size_t n = strlen(e->d_name), x = strlen(".expected");
        if (n > x && !strcmp(e->d_name + n - x, ".expected"))
            ok = words_add(&files, e->d_name);
    }
    closedir(d);
    if (files.n)
        qsort(files.v, (size_t)files.n, sizeof(char *), by_name); /* readdir's order is no order */
    l->programs = programs ? strdup(programs) : NULL;
    for (int i = 0; ok && i < files.n; i++)
        ok = case_from_header(l, files.v[i], programs);
    if (ok && !files.n) {
        snprintf(l->why, l->why_len, "%s: no manifest and no *.expected file", l->dir);
        ok = false;
    }
    words_free(&files);
    return ok;
}

bool suite_load(const char *path, const char *programs, struct suite *s, char *why, size_t why_len)
{
    memset(s, 0, sizeof(*s));
    struct loader l = {.path = path, .s = s, .why = why, .why_len = why_len};
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(why, why_len, "cannot read %s: %s", path, strerror(errno));
        return false;
    }
    char *manifest = S_ISDIR(st.st_mode) ? join(path, "manifest") : strdup(path);
    FILE *f = manifest ? fopen(manifest, "re") : NULL;
    bool ok;
    if (f || !S_ISDIR(st.st_mode)) {
        l.path = manifest;
        l.dir = manifest ? dir_of(manifest) : NULL;
        ok = f ? load_manifest(&l, f, programs)
               : (snprintf(why, why_len, "cannot read %s: %s", path, strerror(errno)), false);
        if (f)
            fclose(f);
    } else {
        l.dir = strdup(path);
        ok = l.dir && load_directory(&l, programs);
    }
    s->name = ok && l.dir ? dir_name(l.dir) : NULL;
    ok = ok && s->name;
    free(manifest);
    free(l.dir);
    free(l.programs);
    suite_case_free(&l.defaults);
    if (!ok)
        suite_free(s);
    return ok;
}
