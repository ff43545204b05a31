/*
 * The floating-point state a program starts with, and arithmetic that
 * depends on it: the x87 control word (64-bit precision, exceptions
 * masked: 0x37f), MXCSR (0x1f80), and printf of doubles and long doubles,
 * which musl computes in x87 long double. With a zero control word x87
 * rounds to 24 bits and musl printed 1e300 as 9.9999998003712e+299.
 * Operands are volatile so the compiler cannot fold them away.
 */
#include <float.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned short x87_control(void)
{
    unsigned short cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    return cw;
}

static unsigned int sse_control(void)
{
    unsigned int csr;
    __asm__ volatile("stmxcsr %0" : "=m"(csr));
    return csr;
}

static long double x87_sqrt(long double x)
{
    __asm__("fsqrt" : "+t"(x));
    return x;
}

static long double x87_round(long double x)
{
    __asm__("frndint" : "+t"(x));
    return x;
}

static long sse_round(double x)
{
    long r;
    __asm__("cvtsd2si %1, %0" : "=r"(r) : "x"(x));
    return r;
}

int main(void)
{
    volatile double big = 1e300, tenth = 0.1, fifth = 0.2, three = 3, tiny = DBL_MIN;
    volatile float f_three = 3.0f, f_big = 16777217.0f;
    volatile long double l_three = 3.0L, l_two = 2.0L, l_big = 1e4000L;

    printf("x87 control word %#x, MXCSR %#x\n", x87_control(), sse_control());
    printf("1e300 = %.15g\n", big);
    printf("0.1 + 0.2 = %.17g (%a)\n", tenth + fifth, tenth + fifth);
    printf("1/3 = %.17g, %a\n", 1 / three, 1 / three);
    printf("DBL_MIN / 3 = %.17g (subnormal: %a)\n", tiny / 3, tiny / 3);
    printf("strtod(\"1e-310\") = %.17g\n", strtod("1e-310", NULL));
    printf("float 1/3 = %.9g, 16777217f = %.9g\n", 1 / f_three, f_big);
    printf("long double 1/3 = %.21Lg (%La)\n", 1 / l_three, 1 / l_three);
    printf("long double sqrt(2) = %.21Lg\n", x87_sqrt(l_two));
    printf("long double 1e4000 = %.21Lg, * 1e-4000 = %.21Lg\n", l_big, l_big * 1e-4000L);
    printf("LDBL_EPSILON = %La, 1 + LDBL_EPSILON > 1: %d\n", (long double)LDBL_EPSILON,
           (long double)1 + LDBL_EPSILON > (long double)1);
    printf("round to nearest even: frndint(2.5) = %.1Lf, cvtsd2si(2.5) = %ld, (3.5) = %ld\n",
           x87_round(2.5L), sse_round(2.5), sse_round(3.5));
    printf("x87 control word %#x, MXCSR %#x at the end\n", x87_control(), sse_control() & ~0x3fu);
    return 0;
}
