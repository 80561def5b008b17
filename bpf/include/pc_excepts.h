/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pc_excepts.h: `except` clauses on subjects. A subject is lifted from the
 * task when the task is also one of that subject's exceptions; one line read
 * per subject with exceptions (bpf_loop), none when the policy has none.
 *
 * Three-valued (struct pc_subjects): a subject stops being possible only when
 * an exception is certain, and stops being certain when an exception is
 * possible. An exception whose conditions are unknown never lifts a deny.
 */
#ifndef PC_EXCEPTS_H
#define PC_EXCEPTS_H

#include "pc_subjects.h"

/*
 * One walk over the exceptions, in a per-CPU map: on the stack it would take
 * a third of the verifier's 512-byte budget for the whole call chain.
 */
struct pc_except_walk {
	__u32 first_line;
	__u32 count;
	struct pc_subjects in;  /* the task's subjects before exceptions */
	struct pc_subjects out; /* the subjects lifted: from possible, from certain */
};
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_except_walk);
} pc_except_scratch SEC(".maps");

/* What the loop callback gets (on the stack: pointers cannot be kept in a map). */
struct pc_except_ref {
	void *image;
	struct pc_except_walk *walk;
};

static long pc_except_step(__u32 i, struct pc_except_ref *ref)
{
	struct pc_except_walk *walk = ref->walk;
	if (i >= walk->count)
		return 1;
	struct pc_image_line *line = pc_line(ref->image, walk->first_line + i);
	if (!line)
		return 1;
	__u32 id = line->w[0] & (PC_SUBJECT_MAX - 1);
	__u32 word = id / 32, bit = 1u << (id % 32);
	if (!(walk->in.possible[word & (PC_SUBJECT_WORDS - 1)] & bit))
		return 0;
	__u32 certain = 0, possible = 0;
	for (int k = 0; k < PC_SUBJECT_WORDS; k++) {
		certain |= walk->in.certain[k] & line->w[PC_SUBJECT_WORDS + k];
		possible |= walk->in.possible[k] & line->w[PC_SUBJECT_WORDS + k];
	}
	if (certain)
		walk->out.possible[word & (PC_SUBJECT_WORDS - 1)] |= bit;
	if (possible)
		walk->out.certain[word & (PC_SUBJECT_WORDS - 1)] |= bit;
	return 0;
}

/* Lifts from `s` each subject the task is an exception of. */
static __always_inline void pc_subjects_except(void *image, const struct pc_header *h, struct pc_subjects *s)
{
	__u32 section = pc_hdr(h, PC_HDR_SUBJECT_EXCEPTS);
	if (!section)
		return;
	__u32 zero = 0;
	struct pc_except_walk *walk = bpf_map_lookup_elem(&pc_except_scratch, &zero);
	if (!walk) {
		for (int i = 0; i < PC_SUBJECT_WORDS; i++)
			s->certain[i] = 0; /* cannot happen; no exception is certain all the same */
		return;
	}
	walk->first_line = section / PC_LINE_WORDS;
	walk->count = pc_hdr(h, PC_HDR_SUBJECT_EXCEPT_COUNT);
	for (int i = 0; i < PC_SUBJECT_WORDS; i++) {
		walk->in.possible[i] = s->possible[i];
		walk->in.certain[i] = s->certain[i];
		walk->out.possible[i] = 0;
		walk->out.certain[i] = 0;
	}
	struct pc_except_ref ref = { .image = image, .walk = walk };
	bpf_loop(PC_SUBJECT_MAX, pc_except_step, &ref, 0);
	for (int i = 0; i < PC_SUBJECT_WORDS; i++) {
		s->possible[i] &= ~walk->out.possible[i];
		s->certain[i] &= ~walk->out.certain[i];
	}
}

#endif /* PC_EXCEPTS_H */
