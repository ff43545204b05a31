/*
 * The header of an expected file: what makes it self-describing. It says
 * at which level the body was made (and how normalized or how tolerant),
 * the trace schema, the program (its path as given and a SHA-256 of its
 * content), its arguments (and their SHA-256) and the run options:
 *
 *   # vmemu expected v1
 *   # level: normalized
 *   # normalize: frames,addresses
 *   # schema: 4
 *   # program: samples/anon_touch-musl
 *   # program-sha256: 5d41...
 *   # args: 64
 *   # args-sha256: a1b2...
 *   # options: --ram=64M
 *   (an empty line, then the body)
 *
 * `check` refuses a file made for another program (another base name),
 * other arguments or another schema, each in one line; a program whose
 * content changed is compared, with a note saying so.
 */
#ifndef VMEMU_EMU_TRACE_CHECK_HEADER_H
#define VMEMU_EMU_TRACE_CHECK_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "emu/trace/check_level.h"
#include "emu/trace/check_sha256.h"
#include "emu/trace/check_tolerance.h"

#define EXPECTED_MAGIC "# vmemu expected v1"

struct expected_header {
    enum check_level level;
    unsigned int normalize; /* normalized: NORMALIZE_* */
    bool has_tolerance;     /* summary: a tolerance line */
    struct tolerance tolerance;
    int schema;    /* the trace schema the body was made with */
    char *program; /* the program's path as it was given */
    char program_sha256[SHA256_HEX_LEN + 1];
    char *args; /* the arguments after argv[0], as shell words */
    char args_sha256[SHA256_HEX_LEN + 1];
    char *options; /* the run options, as shell words ("" for none) */
};

/*
 * Parse text (a whole expected file): the header into h, *body at what
 * follows it. false with a one-line reason in why (h is then empty).
 */
bool expected_parse(const char *text, size_t len, struct expected_header *h, const char **body,
                    char *why, size_t why_len);
/*
 * A header for this run: the program as recorded (label) and the digest
 * of the file at path, the arguments after argv[0], the options' words.
 */
bool expected_describe(struct expected_header *h, const char *label, const char *path,
                       char *const *args, int nargs, const char *options, char *why,
                       size_t why_len);
void expected_write(FILE *out, const struct expected_header *h);
void expected_header_free(struct expected_header *h);

/*
 * The file h was made for the run described by run: the same program
 * (base name), arguments and schema. false with the one-line reason.
 * A program whose content changed matches; *changed says so.
 */
bool expected_same_case(const struct expected_header *h, const struct expected_header *run,
                        bool *changed, char *why, size_t why_len);

#endif
