// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exec.bpf.c: the exec hook. The path matched is the canonical path of the
 * file being executed (d_path of bprm->file, relative to the caller's root),
 * so symlinks and relative names cannot dodge a rule. An allowed exec also
 * records which subjects the program's path makes the task (pc_subjects.h).
 */
#include "pc_kernel.h"
#include <bpf/bpf_tracing.h>
#include "pc_subjects.h"
#include "pc_exec_check.h"

/* Records the subjects `path` makes the current task, for sched_process_exec to finish. */
static __always_inline void pc_record_exe_subjects(void *image, const char *path, __u32 length)
{
	struct pc_task *task = bpf_task_storage_get(&pc_tasks, bpf_get_current_task_btf(), 0,
						    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!task)
		return;
	pc_subject_set set;
	pc_subjects_any(image, 0, set);
	__u32 dfa = pc_word(image, PC_HDR_SUBJECT_EXE_DFA);
	if (dfa)
		pc_subjects_add(image, pc_dfa_accepts(image, dfa, path, 0, length), set);
	for (int i = 0; i < PC_SUBJECT_WORDS; i++)
		task->exe_subjects[i] = set[i];
	task->exe_generation = pc_generation(image);
}

static __always_inline int pc_exec_decide(struct linux_binprm *bprm)
{
	void *image = pc_image_get();
	if (!image)
		return 0;
	__u32 dfa = pc_word(image, PC_HDR_EXEC_DFA);
	int subjects = pc_has_subjects(image);
	if (!dfa && !subjects)
		return 0;

	__u32 zero = 0, length;
	struct pc_path_buf *path = bpf_map_lookup_elem(&pc_path_scratch, &zero);
	if (!path)
		return -EPERM; /* cannot happen; fail closed all the same */
	int verdict = pc_exec_check(image, dfa, bprm->file, PC_HOOK_EXEC, 1, path, &length);
	if (verdict)
		return verdict;
	if (subjects && length)
		pc_record_exe_subjects(image, path->data, length);
	return 0;
}

SEC("lsm/bprm_check_security")
int BPF_PROG(pc_exec, struct linux_binprm *bprm, int ret)
{
	if (ret)
		return pc_verdict(ret);
	return pc_verdict(pc_exec_decide(bprm));
}
