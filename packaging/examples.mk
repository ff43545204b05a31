# The sample programs vmemu's tests run, installed as examples (this file
# is their Makefile). Copy them somewhere writable, build and run one:
#     cp -r /usr/share/doc/vmemu/examples vmemu-examples && cd vmemu-examples
#     make                  # static glibc programs; make CC=musl-gcc for musl
#     vmemu run ./hello
# Most take arguments: see the comment at the top of each source.
CC = cc
CFLAGS = -O1 -g -Wall -Wextra
LDFLAGS = -static
LDLIBS = -lpthread
PROGRAMS := $(patsubst %.c,%,$(wildcard *.c))
NOLIBC := $(patsubst %.c,%,$(wildcard nolibc/*.c))

all: $(PROGRAMS) $(NOLIBC)

# Programs with their own _start and no C library: they see the registers
# exactly as the kernel leaves them.
nolibc/%: nolibc/%.c
	$(CC) $(CFLAGS) -static -nostdlib -fno-stack-protector -o $@ $<

clean:
	rm -f $(PROGRAMS) $(NOLIBC)

.PHONY: all clean
