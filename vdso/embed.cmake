# Turn the built vDSO into C: cmake -DIN=vdso.so -DOUT=vdso_image.c -P embed.cmake.
# The array goes into the vmemu binary, so nothing is read from disk at run time.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR size "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n    " bytes "${bytes}")
file(WRITE ${OUT}.tmp
"/* Generated from ${IN} by vdso/embed.cmake: the vDSO image (vdso/vdso.c). */
#include <stddef.h>

const unsigned char vdso_image[] __attribute__((aligned(4096))) = {
    ${bytes}
};
const size_t vdso_image_len = ${size};
")
file(RENAME ${OUT}.tmp ${OUT})
