/* A growing text buffer for /proc-style reports (the kernel's seq_file role). */
#ifndef VMEMU_MM_SEQ_H
#define VMEMU_MM_SEQ_H

#include <stddef.h>

struct seq {
    char *buf;
    size_t len, cap;
    int overflow; /* set when memory ran out: the text is truncated */
};

void seq_init(struct seq *s);
void seq_printf(struct seq *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append n bytes as they are (NULs included). */
void seq_write(struct seq *s, const void *data, size_t n);
void seq_free(struct seq *s);

#endif
