/* The command line's option rule (cli.h). */
#include "emu/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2

bool cli_take_option(int argc, char **argv, int *i, const char *name, const char **value,
                     const char *who)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return false;
    if (a[n] == '=' && !value) {
        fprintf(stderr, "%s: option %s takes no value\n", who, name);
        exit(EXIT_USAGE);
    }
    if (a[n] == '=') {
        *value = a + n + 1;
        return true;
    }
    if (a[n] != '\0')
        return false;
    if (!value)
        return true;
    if (*i + 1 >= argc) {
        fprintf(stderr, "%s: option %s needs a value\n", who, name);
        exit(EXIT_USAGE);
    }
    *value = argv[++*i];
    return true;
}
