/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pc_dfa.h: walking a compiled DFA over a string, one byte a step, with
 * bpf_loop so the verifier checks the step once, not once per byte.
 * Cost: five lookups to copy the byte classes out of the image, then one per
 * byte (the transition), linear in the string's length.
 */
#ifndef PC_DFA_H
#define PC_DFA_H

#include "pc_image.h"

struct pc_dfa {
	__u32 class_count;
	__u32 state_count;
	__u32 classes;
	__u32 transitions;
	__u32 accepts;
};

/*
 * A DFA's byte classes, copied out of the image once per walk: the five lines
 * holding its 64 words (they need not start a line), one byte per class.
 */
#define PC_CLASS_LINES 5
struct pc_dfa_classes {
	__u8 bytes[PC_CLASS_LINES * PC_LINE_WORDS * 4];
};
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_dfa_classes);
} pc_class_scratch SEC(".maps");

struct pc_walk {
	void *image;
	const char *text;
	const __u8 *classes; /* byte b's class is classes[b] */
	__u32 start;
	__u32 length;
	__u32 state;
	struct pc_dfa dfa;
};

/*
 * Reads the DFA's header at `at`; -1 when there is none or it is malformed (a
 * valid DFA has none of these words 0: offset 0 is the image header). Each
 * word is checked as soon as it is read: past this function every field is an
 * unknown non-zero word, so the verifier meets one state at the walk, not one
 * for each combination of lookups that found nothing (6.1 verifies the
 * loop's callback again for each).
 */
static __always_inline int pc_dfa_read(void *image, __u32 at, struct pc_dfa *dfa)
{
	if (!at)
		return -1;
	if (!(dfa->class_count = pc_word(image, at + PC_DFA_CLASS_COUNT)))
		return -1;
	if (!(dfa->state_count = pc_word(image, at + PC_DFA_STATE_COUNT)))
		return -1;
	if (!(dfa->classes = pc_word(image, at + PC_DFA_CLASSES)))
		return -1;
	if (!(dfa->transitions = pc_word(image, at + PC_DFA_TRANSITIONS)))
		return -1;
	if (!(dfa->accepts = pc_word(image, at + PC_DFA_ACCEPTS)))
		return -1;
	return 0;
}

/* One byte. A NUL reads as a space: argv's separators become the single spaces they are matched as. */
static long pc_walk_step(__u32 i, void *ctx)
{
	struct pc_walk *walk = ctx;
	__u32 at = walk->start + i;
	if (at >= walk->length || at >= PC_PATH_MAX)
		return 1;
	__u8 byte = walk->text[at & (PC_PATH_MAX - 1)];
	if (byte == 0)
		byte = ' ';
	__u32 class = walk->classes[byte];
	if (class >= walk->dfa.class_count)
		class = 0;
	walk->state = pc_word(walk->image,
			      walk->dfa.transitions + walk->state * walk->dfa.class_count + class);
	if (walk->state == PC_DFA_DEAD || walk->state >= walk->dfa.state_count) {
		walk->state = PC_DFA_DEAD;
		return 1;
	}
	return 0;
}

struct pc_class_copy {
	void *image;
	struct pc_dfa_classes *to;
	__u32 first_line;
	int failed;
};

/* Line k of the class table into pc_class_scratch (bpf_loop: verified once, not per line). */
static long pc_class_copy_step(__u32 k, struct pc_class_copy *copy)
{
	if (k >= PC_CLASS_LINES)
		return 1;
	struct pc_image_line *line = pc_line(copy->image, copy->first_line + k);
	if (!line || bpf_probe_read_kernel(&copy->to->bytes[k * sizeof(*line)], sizeof(*line), line)) {
		copy->failed = 1;
		return 1;
	}
	return 0;
}

/* The classes of the DFA whose class words start at word `at`, in pc_class_scratch; NULL when unreadable. */
static __always_inline const __u8 *pc_dfa_classes(void *image, __u32 at)
{
	__u32 zero = 0;
	struct pc_class_copy copy = { .image = image, .first_line = at / PC_LINE_WORDS };
	copy.to = bpf_map_lookup_elem(&pc_class_scratch, &zero);
	if (!copy.to)
		return 0;
	bpf_loop(PC_CLASS_LINES, pc_class_copy_step, &copy, 0);
	if (copy.failed)
		return 0;
	/* Words before `at` in its line come first: the table starts that many bytes in. */
	return &copy.to->bytes[(at % PC_LINE_WORDS) * 4];
}

/*
 * Walks bytes [start, length) of `text` (a PC_PATH_MAX buffer); returns the
 * final state's accept word (an accept list or a subject set), or 0, and the
 * final state in *state (PC_DFA_DEAD once no continuation can match).
 */
static __always_inline __u32 pc_dfa_walk(void *image, __u32 dfa_at, const char *text, __u32 start,
					 __u32 length, __u32 *state)
{
	struct pc_walk walk = { .image = image, .text = text, .start = start, .length = length };
	*state = PC_DFA_DEAD;
	if (pc_dfa_read(image, dfa_at, &walk.dfa))
		return 0;
	walk.state = pc_word(image, dfa_at + PC_DFA_START);
	if (walk.state == PC_DFA_DEAD)
		return 0;
	walk.classes = pc_dfa_classes(image, walk.dfa.classes);
	if (!walk.classes)
		return 0; /* cannot happen (lines within the image), like a transition that cannot be read */
	bpf_loop(PC_PATH_MAX, pc_walk_step, &walk, 0);
	*state = walk.state;
	if (walk.state == PC_DFA_DEAD)
		return 0;
	return pc_word(image, walk.dfa.accepts + walk.state);
}

static __always_inline __u32 pc_dfa_accepts(void *image, __u32 dfa_at, const char *text, __u32 start,
					    __u32 length)
{
	__u32 state;
	return pc_dfa_walk(image, dfa_at, text, start, length, &state);
}

#endif /* PC_DFA_H */
