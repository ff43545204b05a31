/*
 * errseq_t: how Linux reports a writeback error once to every file open
 * at the time it happened. The address_space keeps the last error, a
 * "seen" flag and a counter; each open file keeps the value it last
 * reported. A file whose sample differs from the current value has an
 * error to report (fsync, msync); reporting marks it seen and moves the
 * file's sample on, so the same error is never reported twice through one
 * file, and a file opened after an error has been seen does not get it.
 */
#ifndef VMEMU_MM_ERRSEQ_H
#define VMEMU_MM_ERRSEQ_H

#include <stdbool.h>
#include <stdint.h>

typedef uint32_t errseq_t;

#define ERRSEQ_MAX_ERRNO 4095u             /* the low bits hold -errno */
#define ERRSEQ_SEEN (ERRSEQ_MAX_ERRNO + 1) /* somebody reported it */
#define ERRSEQ_CTR_INC (ERRSEQ_SEEN << 1)  /* the counter, above the flag */

/* Record a new error (err is -errno); the counter moves only if the last one was seen. */
static inline void errseq_set(errseq_t *eseq, int err)
{
    errseq_t old = *eseq;
    errseq_t next = (old & ~(ERRSEQ_MAX_ERRNO | ERRSEQ_SEEN)) | ((errseq_t)-err & ERRSEQ_MAX_ERRNO);
    if (old & ERRSEQ_SEEN)
        next += ERRSEQ_CTR_INC;
    *eseq = next;
}

/* What a new opener starts from: an error nobody saw yet is still reported to it. */
static inline errseq_t errseq_sample(const errseq_t *eseq)
{
    errseq_t old = *eseq;
    return (old & ERRSEQ_SEEN) ? old : 0;
}

/* The error to report through the file whose sample is *since (0 if none); moves it on. */
static inline int errseq_check_and_advance(errseq_t *eseq, errseq_t *since)
{
    errseq_t old = *eseq;
    if (old == *since)
        return 0;
    *eseq = old | ERRSEQ_SEEN;
    *since = old | ERRSEQ_SEEN;
    return -(int)(old & ERRSEQ_MAX_ERRNO);
}

/* An error is recorded that no file has reported yet. */
static inline bool errseq_unseen(const errseq_t *eseq)
{
    return (*eseq & ERRSEQ_MAX_ERRNO) && !(*eseq & ERRSEQ_SEEN);
}

#endif
