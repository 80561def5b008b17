// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * task.bpf.c: keeping each task's record (struct pc_task). Once an exec has
 * completed, the path the exec hook staged becomes the executable's, the new
 * image's arguments are in its memory and no code of it has run yet, so they
 * are read here, race-free, with the task's cgroup path; then the subjects are
 * computed for the active image and for the pending one. fork and clone copy
 * the parent's record (a child started in another cgroup, CLONE_INTO_CGROUP,
 * has its cgroup read again at its first decision: pc_subjects_refresh).
 */
#include "pc_kernel.h"
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "pc_task_view.h"

/* Longest argv[0] looked through for the start of the arguments. */
#define PC_ARGV0_MAX 256

/* Keeps argv[1..] of the current image (its memory from arg_start to arg_end) in `args`. */
static __always_inline void pc_keep_args(struct task_struct *p, struct pc_task_text *args)
{
	args->flags = 0;
	args->length = 0;
	__u32 zero = 0;
	struct pc_path_buf *buf = bpf_map_lookup_elem(&pc_path_scratch, &zero);
	struct mm_struct *mm = p->mm;
	unsigned long start = mm ? BPF_CORE_READ(mm, arg_start) : 0;
	unsigned long end = mm ? BPF_CORE_READ(mm, arg_end) : 0;
	unsigned long length = end - start;
	if (!buf || end <= start || length > sizeof(buf->data) ||
	    bpf_probe_read_user(buf->data, length & (PC_PATH_MAX - 1) ?: PC_PATH_MAX, (void *)start))
		return; /* unknown: matches every argument condition */
	/* Skip argv[0] (at most PC_ARGV0_MAX bytes); the final NUL ends the text. */
	__u32 first = PC_ARGV0_MAX;
	for (__u32 i = 0; i < PC_ARGV0_MAX && i < length; i++) {
		if (buf->data[i & (PC_PATH_MAX - 1)] == 0) {
			first = i;
			break;
		}
	}
	if (first >= PC_ARGV0_MAX)
		return;
	__u32 from = first + 1 < length ? first + 1 : length;
	__u32 size = length - 1 > from ? length - 1 - from : 0;
	args->flags = PC_TEXT_KNOWN;
	if (size > PC_TASK_TEXT_MAX) {
		size = PC_TASK_TEXT_MAX;
		args->flags |= PC_TEXT_CUT;
	}
	if (bpf_probe_read_kernel(args->data, PC_TASK_TEXT_MAX, buf->data + (from & (PC_ARGV0_MAX * 2 - 1)))) {
		args->flags = 0;
		return;
	}
	args->length = size;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(pc_exec_done, struct task_struct *p, int old_pid, struct linux_binprm *bprm)
{
	struct pc_task *task = bpf_task_storage_get(&pc_tasks, bpf_get_current_task_btf(), 0,
						    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!task)
		return 0;
	if (task->exec_exe.flags & PC_TEXT_STAGED) {
		task->exe = task->exec_exe;
		task->exe.flags &= ~PC_TEXT_STAGED;
	} else {
		task->exe.flags = 0; /* unknown */
		task->exe.length = 0;
	}
	task->exec_exe.flags = 0;
	pc_keep_args(p, &task->args);
	pc_cgroup_read(task);
	pc_task_compute(pc_image_get(), task);
	pc_task_compute(pc_image_pending(), task);
	return 0;
}

SEC("lsm/task_alloc")
int BPF_PROG(pc_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	if (ret)
		return pc_verdict(ret);
	struct pc_task *parent = bpf_task_storage_get(&pc_tasks, bpf_get_current_task_btf(), 0, 0);
	if (!parent)
		return 0;
	struct pc_task *child = bpf_task_storage_get(&pc_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	/* A helper's copy: the record is larger than clang copies inline. */
	if (child && bpf_probe_read_kernel(child, sizeof(*child), parent))
		child->cgroup_id = 0; /* never read: the child reads its own at its first decision */
	return 0;
}
