/*
 * What --report and --check-leaks do at the end of a run: print /proc files
 * as the guest would have read them, and check that tearing the guest down
 * gave every frame back to the buddy allocator.
 */
#ifndef VMEMU_EMU_MEMREPORT_H
#define VMEMU_EMU_MEMREPORT_H

#include <stdbool.h>
#include <stddef.h>

struct task;

/* A comma-separated list of /proc names ("meminfo,status"); false and the bad name if not. */
bool report_list_valid(const char *list, char *bad, size_t len);
/*
 * When the first process ends, before its memory goes: render each listed
 * file (list may be NULL) under a "==> /proc/NAME <==" header, and its map
 * if maps. report_proc_files prints what was captured on stderr;
 * final_maps_text is the map (NULL if none was captured).
 */
void report_capture(struct task *t, const char *list, bool maps);
void report_proc_files(struct task *t, const char *list);
const char *final_maps_text(void);
void report_capture_free(void);

/*
 * Before the task exists: shrink the slab caches and return MemFree in pages.
 * After task_destroy: tear the page cache down, shrink again, and compare;
 * prints the verdict on stderr and returns 0, or -1 when frames are missing.
 */
unsigned long leak_check_start(void);
int leak_check_finish(unsigned long free_before);

#endif
