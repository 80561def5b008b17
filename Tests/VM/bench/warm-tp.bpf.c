// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * warm-tp.bpf.c: the warmer of the exec tracepoint (see the warmers in
 * floor.bpf.c). A tracepoint calls its programs in the order they were
 * attached: hooks.sh attaches this one before the daemon starts, so it runs
 * first and meets cold what every program there shares: the task, its new
 * memory map and the exec's file. Not counted.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bench_kernel.h"

char LICENSE[] SEC("license") = "GPL";

__u64 fz_found;

SEC("tp_btf/sched_process_exec")
int BPF_PROG(fz_exec_done, struct task_struct *p, int old_pid, struct linux_binprm *bprm)
{
	struct mm_struct *mm = p->mm;
	struct file *file = bprm->file;
	fz_found ^= (mm ? mm->arg_end - mm->arg_start : 0) ^ (__u64)(p->bpf_storage != 0) ^
		    (file && file->f_inode ? file->f_inode->i_ino : 0);
	return 0;
}
