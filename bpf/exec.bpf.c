// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * exec.bpf.c: the exec hook. The path matched is the host path of the file
 * being executed (pc_host_path.h: not relative to the caller's root or mount
 * namespace), so symlinks, relative names, chroots and private mounts cannot
 * dodge a rule. An allowed exec also
 * stages that path in the task's record, for its subjects (pc_subjects.h) and
 * for the rules with argument conditions, which task.bpf.c decides once the
 * exec has completed. Rules naming content see the file's SHA-256
 * (pc_content.h), so a copy, a memfd or a renamed file meets them too.
 */
#include "pc_kernel.h"
#include <bpf/bpf_tracing.h>
#include "pc_task_view.h"
#include "pc_exec_check.h"

/* Keeps one accept list of a file checked by this exec, for its argument rules. */
static __always_inline void pc_stage_list(struct pc_exec_lists *staged, __u32 list)
{
	__u32 n = staged->count;
	if (!list || n > PC_EXEC_LISTS_MAX)
		return;
	if (n == PC_EXEC_LISTS_MAX) {
		staged->count = PC_EXEC_LISTS_MAX + 1; /* too many: decided from the executable's path instead */
		return;
	}
	staged->lists[n & (PC_EXEC_LISTS_MAX - 1)] = list;
	staged->count = n + 1;
}

/*
 * Keeps the accept lists of one file checked by this exec: its path's and
 * identity's, and, when `others`, those of its other host paths.
 */
static __always_inline void pc_stage_lists(void *image, struct pc_exec_lists *staged, int same_exec,
					   const __u32 *lists, const struct pc_alias_lists *others)
{
	__u64 generation = image ? pc_generation(image) : 0;
	if (!same_exec) {
		staged->generation = generation;
		staged->count = 0;
	}
	if (staged->generation != generation)
		staged->count = PC_EXEC_LISTS_MAX + 1;
	for (int i = 0; i < PC_EXEC_FILE_LISTS; i++)
		pc_stage_list(staged, lists[i]);
	if (others && others->count)
		for (int k = 0; k < PC_ALIAS_LISTS; k++)
			pc_stage_list(staged, others->lists[k]);
}

/*
 * Stages the path being executed in the current task's record; it becomes the
 * executable's once the exec completes (task.bpf.c), not before, so an exec
 * that fails later leaves the record as it was. Only while some image needs
 * records (pc_summary); a later one that needs them seeds them from /proc.
 */
static __always_inline void pc_stage_exe(void *image, struct linux_binprm *bprm, const struct pc_path_buf *path,
					 int readable, __u32 length, const __u32 *lists)
{
	if (!pc_task_records_wanted())
		return;
	/* Created by pc_exec before anything else (it may sleep); none: unknown, fail closed. */
	struct pc_task *task = bpf_task_storage_get(&pc_tasks, bpf_get_current_task_btf(), 0, 0);
	if (!task)
		return;
	/* The first file of this exec (a script's interpreter comes next), or a later one. */
	int same_exec = (task->exec_exe.flags & PC_TEXT_STAGED) && task->exec_mm == (__u64)bprm->mm;
	__u32 zero = 0;
	/* pc_exec_check filled them when it read the path (readable), for this image */
	const struct pc_alias_lists *others = image && readable ? bpf_map_lookup_elem(&pc_alias_scratch, &zero) : 0;
	pc_stage_lists(image, &task->exec_lists, same_exec, lists, others);
	struct pc_task_text *text = &task->exec_exe;
	task->exec_mm = (__u64)bprm->mm;
	text->flags = PC_TEXT_STAGED;
	text->length = 0;
	if (!readable)
		return; /* unknown: every path condition is */
	/*
	 * At other host paths too (the walk that read this path says so; read from
	 * the map, so the verifier follows one path here, not one per result):
	 * those are not kept, and conditions on them are unknown. Length 0: a
	 * program with no path on the host (known), and no walk that found one.
	 * A failed copy leaves the text staged only: unknown.
	 */
	const struct pc_host_found *found = bpf_map_lookup_elem(&pc_host_found_scratch, &zero);
	pc_text_keep_path(text, path->data, length, found ? &found->aliases : 0, PC_TEXT_STAGED);
}

/* A frame of its own: the verifier's 512-byte stack budget is for a whole call chain. */
static __noinline int pc_exec_decide(struct linux_binprm *bprm)
{
	__u32 zero = 0, length = 0, lists[PC_EXEC_CHECK_LISTS] = {};
	struct pc_path_buf *path = bpf_map_lookup_elem(&pc_path_scratch, &zero);
	void *image = pc_image_get();
	if (!path)
		return image ? -EPERM : 0; /* cannot happen; fail closed all the same */
	long n = -1;
	__u32 dfa = image ? pc_word(image, PC_HDR_EXEC_DFA) : 0;
	int records = pc_task_records_wanted(); /* the path is staged in the record: it must be read */
	if (!dfa && !records && !(image && pc_word(image, PC_HDR_EXEC_DIGESTS)))
		return 0; /* no exec rule to decide, no record to stage the path in */
	if (image) {
		int verdict = pc_exec_check(image, dfa, bprm->file, PC_HOOK_EXEC, 1, PC_ARGS_SKIP, records, path, &n,
					    &length, lists);
		if (verdict)
			return verdict;
	} else {
		n = pc_host_path(bprm->file->f_path.dentry, 0);
		length = n > 0 && !pc_file_is_anonymous(bprm->file) ? PC_HOST_LENGTH(n) : 0;
		if (n == PC_HOST_NONE)
			n = 1; /* known: no path */
	}
	pc_stage_exe(image, bprm, path, n > 0, length, lists);
	return 0;
}

/*
 * Sleepable: what may sleep comes first, before anything uses the per-CPU
 * scratch space or holds the image, since another task's exec on this CPU
 * would reuse that space meanwhile: creating the task's record (a sleepable
 * program allocates with GFP_KERNEL), then IMA reading the file to hash it
 * (pc_content.h).
 */
SEC("lsm.s/bprm_check_security")
int BPF_PROG(pc_exec, struct linux_binprm *bprm, int ret)
{
	if (ret)
		return pc_verdict(ret);
	if (pc_task_records_wanted())
		bpf_task_storage_get(&pc_tasks, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	pc_content_digest(bprm->file);
	/* Here, not in pc_exec_decide: each has a frame of its own within the 512-byte budget. */
	void *image = pc_image_get();
	if (image)
		pc_refresh_for_callers(image);
	return pc_verdict(pc_exec_decide(bprm));
}
