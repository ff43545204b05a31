/* What `vmemu --version` prints. */
#ifndef VMEMU_EMU_VERSION_H
#define VMEMU_EMU_VERSION_H

#include <stdio.h>

/* vmemu's version, the libraries' it runs with and the trace schema's. */
void print_version(FILE *out);

#endif
