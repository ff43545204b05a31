/*
 * The memory reports of /proc: meminfo, zoneinfo, vmstat and slabinfo for
 * the system, status and stat for the guest process. procfs.c serves them
 * to the guest; --report prints them at exit.
 */
#ifndef VMEMU_EMU_PROC_MEM_H
#define VMEMU_EMU_PROC_MEM_H

struct task;
struct seq;

void proc_meminfo_show(struct task *t, struct seq *s);
void proc_zoneinfo_show(struct task *t, struct seq *s);
void proc_vmstat_show(struct task *t, struct seq *s);
void proc_slabinfo_show(struct task *t, struct seq *s);
void proc_pid_status_show(struct task *t, struct seq *s);
void proc_pid_stat_show(struct task *t, struct seq *s);

/*
 * Committed_AS in pages: what the overcommit accounting has promised. While
 * mm/ has no global commit counter, the task's VM_ACCOUNT mappings.
 */
unsigned long proc_committed_pages(struct task *t);

#endif
