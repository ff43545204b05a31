/* ARRAY_SIZE, as Linux's <linux/array_size.h>: the elements of a true array. */
#ifndef VMEMU_MM_ARRAY_SIZE_H
#define VMEMU_MM_ARRAY_SIZE_H

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
