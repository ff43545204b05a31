/* The OOM killer's hooks into the process kernel (oom.c). */
#ifndef VMEMU_EMU_OOM_H
#define VMEMU_EMU_OOM_H

#include <stdbool.h>

#include "emu/kernel/task.h"

struct oom_task;
/* t as the OOM killer sees it (for /proc/PID/oom_score); false when it has no mm. */
bool oom_task_of(struct task *t, struct oom_task *out);

#endif
