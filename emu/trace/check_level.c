/* Names of the levels and of what normalized replaces (check_level.h). */
#include "emu/trace/check_level.h"

#include <string.h>

static const char *const level_names[] = {
    [CHECK_EXACT] = "exact", [CHECK_NORMALIZED] = "normalized", [CHECK_SUMMARY] = "summary"};

const char *check_level_name(enum check_level level)
{
    return level > CHECK_LEVEL_NONE && level <= CHECK_SUMMARY ? level_names[level] : "none";
}

enum check_level check_level_by_name(const char *name)
{
    for (int l = CHECK_EXACT; l <= CHECK_SUMMARY; l++)
        if (!strcmp(name, level_names[l]))
            return (enum check_level)l;
    return CHECK_LEVEL_NONE;
}

bool normalize_parse(const char *list, unsigned int *flags)
{
    if (!strcmp(list, "frames"))
        *flags = NORMALIZE_FRAMES;
    else if (!strcmp(list, "frames,addresses") || !strcmp(list, "addresses,frames"))
        *flags = NORMALIZE_FRAMES | NORMALIZE_ADDRESSES;
    else
        return false;
    return true;
}

const char *normalize_name(unsigned int flags)
{
    return flags & NORMALIZE_ADDRESSES ? "frames,addresses" : "frames";
}
