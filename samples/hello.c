/* The smallest sample: a greeting and the arguments the loader passed. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("Hello from an x86-64 program.\n");
    printf("argc = %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d] = \"%s\"\n", i, argv[i]);
    return 0;
}
