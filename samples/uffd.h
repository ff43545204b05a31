/*
 * The userfaultfd user API (Linux's <linux/userfaultfd.h>, which musl's
 * headers lack), for the samples userfaultfd.c and uffd_handler.c.
 */
#ifndef SAMPLES_UFFD_H
#define SAMPLES_UFFD_H

#include <stdint.h>
#include <sys/ioctl.h>

#define UFFD_API 0xAAULL
#define UFFD_USER_MODE_ONLY 1
#define UFFD_FEATURE_PAGEFAULT_FLAG_WP (1ULL << 0)
#define UFFD_FEATURE_MISSING_SHMEM (1ULL << 5)
#define UFFD_FEATURE_SIGBUS (1ULL << 7)
#define UFFD_FEATURE_THREAD_ID (1ULL << 8)
#define UFFD_FEATURE_MINOR_SHMEM (1ULL << 10)
#define UFFD_FEATURE_EXACT_ADDRESS (1ULL << 11)
#define UFFD_EVENT_PAGEFAULT 0x12
#define FLAG_WRITE 1 /* UFFD_PAGEFAULT_FLAG_* */
#define FLAG_WP 2
#define FLAG_MINOR 4
#define MODE_MISSING 1ULL /* UFFDIO_REGISTER_MODE_* */
#define MODE_WP 2ULL
#define MODE_MINOR 4ULL
#define _UFFDIO_REGISTER 0x00
#define _UFFDIO_UNREGISTER 0x01
#define _UFFDIO_WAKE 0x02
#define _UFFDIO_COPY 0x03
#define _UFFDIO_ZEROPAGE 0x04
#define _UFFDIO_WRITEPROTECT 0x06
#define _UFFDIO_CONTINUE 0x07
#define _UFFDIO_API 0x3F

struct uffdio_api {
    uint64_t api, features, ioctls;
};
struct uffdio_range {
    uint64_t start, len;
};
struct uffdio_register {
    struct uffdio_range range;
    uint64_t mode, ioctls;
};
struct uffdio_copy {
    uint64_t dst, src, len, mode;
    int64_t copy;
};
struct uffdio_zeropage {
    struct uffdio_range range;
    uint64_t mode;
    int64_t zeropage;
};
struct uffdio_writeprotect {
    struct uffdio_range range;
    uint64_t mode;
};
struct uffdio_continue {
    struct uffdio_range range;
    uint64_t mode;
    int64_t mapped;
};
/* A UFFD_EVENT_PAGEFAULT message. */
struct uffd_msg {
    uint8_t event, reserved1;
    uint16_t reserved2;
    uint32_t reserved3;
    uint64_t flags, address;
    uint32_t ptid, pad;
};

#define UFFDIO_API _IOWR(0xAA, _UFFDIO_API, struct uffdio_api)
#define UFFDIO_REGISTER _IOWR(0xAA, _UFFDIO_REGISTER, struct uffdio_register)
#define UFFDIO_UNREGISTER _IOR(0xAA, _UFFDIO_UNREGISTER, struct uffdio_range)
#define UFFDIO_WAKE _IOR(0xAA, _UFFDIO_WAKE, struct uffdio_range)
#define UFFDIO_COPY _IOWR(0xAA, _UFFDIO_COPY, struct uffdio_copy)
#define UFFDIO_ZEROPAGE _IOWR(0xAA, _UFFDIO_ZEROPAGE, struct uffdio_zeropage)
#define UFFDIO_WRITEPROTECT _IOWR(0xAA, _UFFDIO_WRITEPROTECT, struct uffdio_writeprotect)
#define UFFDIO_CONTINUE _IOWR(0xAA, _UFFDIO_CONTINUE, struct uffdio_continue)
#define USERFAULTFD_IOC_NEW _IO(0xAA, 0x00) /* on /dev/userfaultfd */

#endif
