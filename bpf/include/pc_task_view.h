/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pc_task_view.h: computing a task's view (struct pc_task) for one image, from
 * the texts its record keeps. Used once an exec completes (task.bpf.c), by
 * the seeding iterator (seed.bpf.c), and by the hooks, which read the current
 * task's view (recomputing it first when the task changed cgroups).
 */
#ifndef PC_TASK_VIEW_H
#define PC_TASK_VIEW_H

#include "pc_subjects.h"
#include "pc_cgroup.h"

/*
 * Adds to `set` the subjects one part of the task (its path, its arguments,
 * its cgroup) makes it, from `text`, by the DFA at header word `dfa_word`. A text that
 * is unknown, or cut and still alive in the DFA at its end, matches every
 * condition of that part: the task counts as every subject it might be (fail closed).
 */
static __always_inline void pc_text_subjects(void *image, __u32 dfa_word, const struct pc_task_text *text,
					     __u32 *set)
{
	__u32 dfa = pc_word(image, dfa_word);
	if (!dfa)
		return;
	__u32 zero = 0;
	struct pc_path_buf *buf = bpf_map_lookup_elem(&pc_text_scratch, &zero);
	__u32 length = text->length;
	if (!buf || !(text->flags & PC_TEXT_KNOWN) || length > PC_TASK_TEXT_MAX ||
	    bpf_probe_read_kernel(buf->data, PC_TASK_TEXT_MAX, text->data)) {
		for (int i = 0; i < PC_SUBJECT_WORDS; i++)
			set[i] = ~0u;
		return;
	}
	__u32 state;
	__u32 accepts = pc_dfa_walk(image, dfa, buf->data, 0, length, &state);
	if (text->flags & PC_TEXT_CUT) {
		if (state != PC_DFA_DEAD)
			for (int i = 0; i < PC_SUBJECT_WORDS; i++)
				set[i] = ~0u;
		return;
	}
	pc_subjects_add(image, accepts, set);
}

/* Computes the view of `task` for `image` from its texts. */
static __noinline void pc_task_compute(void *image, struct pc_task *task)
{
	if (!image || !task || !pc_has_subjects(image))
		return;
	pc_subject_set exe, args, cgroup;
	pc_subjects_any(image, 0, exe);
	pc_subjects_any(image, 1, args);
	pc_set_read(image, pc_word(image, PC_HDR_SUBJECT_NO_CGROUP), cgroup);
	__u64 cgroup_id = task->cgroup_id;
	asm volatile("" ::: "memory"); /* the id before the text it names */
	pc_text_subjects(image, PC_HDR_SUBJECT_EXE_DFA, &task->exe, exe);
	pc_text_subjects(image, PC_HDR_SUBJECT_ARGS_DFA, &task->args, args);
	pc_text_subjects(image, PC_HDR_SUBJECT_CGROUP_DFA, &task->cgroup, cgroup);
	__u64 generation = pc_generation(image);
	struct pc_task_view *view = &task->views[generation & 1];
	for (int i = 0; i < PC_SUBJECT_WORDS; i++)
		view->subjects[i] = exe[i] & args[i] & cgroup[i];
	view->cgroup_id = cgroup_id;
	asm volatile("" ::: "memory"); /* the subjects before the generation that validates them */
	view->generation = generation;
}

/*
 * Before a decision on the current task's subjects: with cgroup conditions in
 * the active image, a view computed for another cgroup than the task's (it
 * moved without exec'ing, or its path was never read) or for another
 * generation is recomputed: the cgroup path is read again and both views
 * (active and pending image) are computed from the record's texts.
 *
 * A program calls it at its entry and decides in a separate (__noinline)
 * function: the verifier limits a call chain's stack to 512 bytes, and
 * computing a view takes a good part of it.
 */
static __noinline __attribute__((unused)) int pc_subjects_refresh(void)
{
	void *image = pc_image_get();
	if (!image || !pc_word(image, PC_HDR_SUBJECT_CGROUP_DFA))
		return 0;
	struct pc_task *task = bpf_task_storage_get(&pc_tasks, bpf_get_current_task_btf(), 0, 0);
	if (!task)
		return 0;
	__u64 generation = pc_generation(image);
	__u64 cgroup_id = bpf_get_current_cgroup_id();
	struct pc_task_view *view = &task->views[generation & 1];
	if (view->generation == generation && view->cgroup_id == cgroup_id)
		return 0;
	if (task->cgroup_id != cgroup_id)
		pc_cgroup_read(task);
	pc_task_compute(image, task);
	pc_task_compute(pc_image_pending(), task);
	return 0;
}

#endif /* PC_TASK_VIEW_H */
