/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pc_excepts.h: `except` clauses on subjects. A subject is removed from the
 * task's set when the task is also one of that subject's exceptions; one line
 * read per subject with exceptions (bpf_loop), none when the policy has none.
 */
#ifndef PC_EXCEPTS_H
#define PC_EXCEPTS_H

#include "pc_subjects.h"

struct pc_except_walk {
	void *image;
	__u32 first_line;
	__u32 count;
	__u32 set[PC_SUBJECT_WORDS];
	__u32 removed[PC_SUBJECT_WORDS];
};

static long pc_except_step(__u32 i, struct pc_except_walk *walk)
{
	if (i >= walk->count)
		return 1;
	struct pc_image_line *line = pc_line(walk->image, walk->first_line + i);
	if (!line)
		return 1;
	__u32 id = line->w[0] & (PC_SUBJECT_MAX - 1);
	__u32 word = id / 32, bit = 1u << (id % 32);
	if (!(walk->set[word & (PC_SUBJECT_WORDS - 1)] & bit))
		return 0;
	__u32 hit = 0;
	for (int k = 0; k < PC_SUBJECT_WORDS; k++)
		hit |= walk->set[k] & line->w[PC_SUBJECT_WORDS + k];
	if (hit)
		walk->removed[word & (PC_SUBJECT_WORDS - 1)] |= bit;
	return 0;
}

/* Removes from `set` each subject the task is an exception of. */
static __always_inline void pc_subjects_except(void *image, __u32 *set)
{
	__u32 section = pc_word(image, PC_HDR_SUBJECT_EXCEPTS);
	if (!section)
		return;
	struct pc_except_walk walk = {
		.image = image,
		.first_line = section / PC_LINE_WORDS,
		.count = pc_word(image, PC_HDR_SUBJECT_EXCEPT_COUNT),
	};
	for (int i = 0; i < PC_SUBJECT_WORDS; i++)
		walk.set[i] = set[i];
	bpf_loop(PC_SUBJECT_MAX, pc_except_step, &walk, 0);
	for (int i = 0; i < PC_SUBJECT_WORDS; i++)
		set[i] &= ~walk.removed[i];
}

#endif /* PC_EXCEPTS_H */
