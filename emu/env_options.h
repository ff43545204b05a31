/* VMEMU_OPTIONS: default options of run and check, from the environment. */
#ifndef VMEMU_EMU_ENV_OPTIONS_H
#define VMEMU_EMU_ENV_OPTIONS_H

/*
 * Split s into words as sh would, without expanding anything: 0 with
 * *argv (NULL-terminated, one allocation to free) and *argc, or -1 with
 * what is wrong in why (an unterminated quote or escape, no memory).
 */
int split_words(const char *s, char ***argv, int *argc, const char **why);

/*
 * VMEMU_OPTIONS's words (none when it is unset or blank), kept until vmemu
 * exits since options point into them; exits 2 with one line when it
 * cannot be split or holds "--", which only the command line may have.
 */
char **env_options(int *argc);

#endif
