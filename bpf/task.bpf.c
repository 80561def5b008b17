// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * task.bpf.c: keeping each task's subjects (pc_subjects.h). The exec hook
 * records the path half; once the exec has completed, the new image's
 * arguments are in its memory and no code of it has run yet, so they are
 * read here, race-free. fork and clone copy the parent's record.
 */
#include "pc_kernel.h"
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "pc_subjects.h"

/* Longest argv[0] looked through for the start of the arguments. */
#define PC_ARGV0_MAX 256

SEC("tp_btf/sched_process_exec")
int BPF_PROG(pc_exec_done, struct task_struct *p, int old_pid, struct linux_binprm *bprm)
{
	void *image = pc_image_get();
	if (!image || !pc_has_subjects(image))
		return 0;
	struct pc_task *task = bpf_task_storage_get(&pc_tasks, bpf_get_current_task_btf(), 0,
						    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!task)
		return 0;
	__u64 generation = pc_generation(image);

	pc_subject_set exe, args;
	if (task->exe_generation == generation) {
		for (int i = 0; i < PC_SUBJECT_WORDS; i++)
			exe[i] = task->exe_subjects[i];
	} else {
		pc_subjects_any(image, 0, exe);
	}

	pc_subjects_any(image, 1, args);
	__u32 dfa = pc_word(image, PC_HDR_SUBJECT_ARGS_DFA);
	__u32 zero = 0;
	struct pc_path_buf *buf = bpf_map_lookup_elem(&pc_path_scratch, &zero);
	struct mm_struct *mm = p->mm;
	unsigned long start = mm ? BPF_CORE_READ(mm, arg_start) : 0;
	unsigned long end = mm ? BPF_CORE_READ(mm, arg_end) : 0;
	unsigned long length = end - start;
	if (dfa) {
		/* Skip argv[0] (at most PC_ARGV0_MAX bytes); the final NUL ends the text. */
		__u32 first = PC_ARGV0_MAX;
		if (buf && end > start && length <= sizeof(buf->data) &&
		    !bpf_probe_read_user(buf->data, length & (PC_PATH_MAX - 1) ?: PC_PATH_MAX, (void *)start)) {
			for (__u32 i = 0; i < PC_ARGV0_MAX && i < length; i++) {
				if (buf->data[i & (PC_PATH_MAX - 1)] == 0) {
					first = i;
					break;
				}
			}
		}
		if (first < PC_ARGV0_MAX) {
			__u32 from = first + 1 < length ? first + 1 : length;
			pc_subjects_add(image, pc_dfa_accepts(image, dfa, buf->data, from, length - 1), args);
		} else {
			/* Arguments that cannot be read whole match every argument condition: fail closed. */
			for (int i = 0; i < PC_SUBJECT_WORDS; i++)
				args[i] = ~0u;
		}
	}
	for (int i = 0; i < PC_SUBJECT_WORDS; i++)
		task->subjects[i] = exe[i] & args[i];
	task->generation = generation;
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
	if (child)
		*child = *parent;
	return 0;
}
