/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pc_subjects.h: subject sets, and the parts of the image that say which
 * subjects a task is (computed from its record in pc_task_view.h).
 */
#ifndef PC_SUBJECTS_H
#define PC_SUBJECTS_H

#include "pc_kernel.h"
#include "pc_dfa.h"

typedef __u32 pc_subject_set[PC_SUBJECT_WORDS];

/* Whether any subject has a condition (else every task is the unconditional subjects). */
static __always_inline int pc_has_subjects(void *image)
{
	return pc_word(image, PC_HDR_SUBJECT_EXE_DFA) || pc_word(image, PC_HDR_SUBJECT_ARGS_DFA) ||
	       pc_word(image, PC_HDR_SUBJECT_CGROUP_DFA);
}

/* The subjects without a path condition (half 0) or without an argument condition (half 1). */
static __always_inline void pc_subjects_any(void *image, int half, __u32 *set)
{
	__u32 any = pc_word(image, PC_HDR_SUBJECT_ANY);
	struct pc_image_line *line = any ? pc_line(image, any / PC_LINE_WORDS) : 0;
	for (int i = 0; i < PC_SUBJECT_WORDS; i++)
		set[i] = line ? line->w[(half ? PC_SUBJECT_WORDS : 0) + i] : 0;
}

/* Reads the set at offset `at` (half-line aligned; 0: the empty set) with one lookup. */
static __always_inline void pc_set_read(void *image, __u32 at, __u32 *set)
{
	struct pc_image_line *line = at ? pc_line(image, at / PC_LINE_WORDS) : 0;
	__u32 half = at & PC_SUBJECT_WORDS;
	for (int i = 0; i < PC_SUBJECT_WORDS; i++)
		set[i] = line ? line->w[(half + i) & (PC_LINE_WORDS - 1)] : 0;
}

/* Adds the set at offset `at` (a DFA's accept word) to `set`. */
static __always_inline void pc_subjects_add(void *image, __u32 at, __u32 *set)
{
	pc_subject_set more;
	pc_set_read(image, at, more);
	for (int i = 0; i < PC_SUBJECT_WORDS; i++)
		set[i] |= more[i];
}

/*
 * A task's subjects, three-valued (struct pc_task_view): `possible` are those
 * whose conditions hold or are unknown (a deny or an audit applies to them),
 * `certain` those whose conditions are known to hold (an allow or an except
 * needs that).
 */
struct pc_subjects {
	pc_subject_set possible;
	pc_subject_set certain;
};

/* The subjects with no conditions at all. */
static __always_inline void pc_subjects_unconditional(void *image, __u32 *set)
{
	pc_subject_set args, cgroup;
	pc_subjects_any(image, 0, set);
	pc_subjects_any(image, 1, args);
	pc_set_read(image, pc_word(image, PC_HDR_SUBJECT_NO_CGROUP), cgroup);
	for (int i = 0; i < PC_SUBJECT_WORDS; i++)
		set[i] &= args[i] & cgroup[i];
}

/* include/linux/sched.h */
#define PC_PF_KTHREAD 0x00200000

/*
 * The subjects the current task is, for `image` (the active one, whose
 * subject epoch is `epoch`). With cgroup
 * conditions in the image, the program calls pc_subjects_refresh
 * (pc_task_view.h) first, at its entry. A task with no valid view is unknown:
 * possibly every subject, certainly those with no conditions; a kernel
 * thread with no record is known to be those with no conditions (it runs no
 * program and has no arguments).
 */
static __always_inline void pc_subjects_current(void *image, __u64 epoch, struct pc_subjects *s)
{
	struct task_struct *me = bpf_get_current_task_btf();
	struct pc_task *task = bpf_task_storage_get(&pc_tasks, me, 0, 0);
	if (task) {
		struct pc_task_view *view = &task->views[epoch & 1];
		if (epoch && view->epoch == epoch) {
			for (int i = 0; i < PC_SUBJECT_WORDS; i++) {
				s->possible[i] = view->possible[i];
				s->certain[i] = view->certain[i];
			}
			return;
		}
	}
	pc_subjects_unconditional(image, s->certain);
	int kthread = !task && (me->flags & PC_PF_KTHREAD);
	for (int i = 0; i < PC_SUBJECT_WORDS; i++)
		s->possible[i] = kthread ? s->certain[i] : ~0u;
}

/* Whether subject `id` is possible but not certain: a decision by it was made on unknown input. */
static __always_inline int pc_subject_in_doubt(const struct pc_subjects *s, __u32 id)
{
	__u32 word = (id / 32) & (PC_SUBJECT_WORDS - 1), bit = 1u << (id % 32);
	return (s->possible[word] & bit) && !(s->certain[word] & bit);
}

#endif /* PC_SUBJECTS_H */
