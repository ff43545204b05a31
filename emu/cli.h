/*
 * The command line's one rule for options, shared by run, check and the
 * report options: --name, --name=value, or --name value (the next
 * argument). A usage error is one line on stderr, "WHO: ...", and exit
 * status 2, as every vmemu command answers one.
 */
#ifndef VMEMU_EMU_CLI_H
#define VMEMU_EMU_CLI_H

#include <stdbool.h>

/*
 * Whether argv[*i] is option name. With value NULL the option is a flag
 * and a value given to it is refused; otherwise *value is set, and *i
 * moves past a value taken from the next argument.
 */
bool cli_take_option(int argc, char **argv, int *i, const char *name, const char **value,
                     const char *who);

#endif
