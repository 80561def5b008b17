/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pc_dfa.h: walking a compiled DFA over a string, one byte a step, with
 * bpf_loop so the verifier checks the step once, not once per byte.
 * Cost: two lookups for the DFA's header; then, for a text of more than
 * PC_CLASS_COPY_MIN bytes, five to copy the byte classes out of the image and
 * one per byte (the transition); for a shorter one, two per byte. Linear in
 * the string's length.
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
	struct pc_dfa_classes *classes; /* when `copied`, byte b's class is classes->bytes[class_at + b] */
	__u32 class_at;                 /* bytes before the table in its first line: at most 60 */
	int copied;                     /* else each class is read from the image */
	__u32 start;
	__u32 length;
	__u32 state;
	struct pc_dfa dfa;
};

/* Word `i` of the DFA header at `at`, from the line holding `at` (`a`) or the next (`b`); 0 when unread. */
static __always_inline __u32 pc_dfa_word(const struct pc_image_line *a, const struct pc_image_line *b, __u32 at,
					 __u32 i)
{
	__u32 k = (at & (PC_LINE_WORDS - 1)) + i;
	const struct pc_image_line *l = k < PC_LINE_WORDS ? a : b;
	return l ? l->w[k & (PC_LINE_WORDS - 1)] : 0;
}

/*
 * Reads the DFA's header at `at` (and its start state into *start); -1 when there is none or it is malformed (a
 * valid DFA has none of these words 0: offset 0 is the image header). Each
 * word is checked as soon as it is read: past this function every field is an
 * unknown non-zero word, so the verifier meets one state at the walk, not one
 * for each combination of lookups that found nothing (6.1 verifies the
 * loop's callback again for each).
 */
static __always_inline int pc_dfa_read(void *image, __u32 at, struct pc_dfa *dfa, __u32 *start)
{
	if (!at)
		return -1;
	/* The header's words lie in its first line and, when it runs over, the next: two lookups. */
	struct pc_image_line *a = pc_line(image, at / PC_LINE_WORDS);
	struct pc_image_line *b = pc_line(image, at / PC_LINE_WORDS + 1);
	if (!(dfa->class_count = pc_dfa_word(a, b, at, PC_DFA_CLASS_COUNT)))
		return -1;
	if (!(dfa->state_count = pc_dfa_word(a, b, at, PC_DFA_STATE_COUNT)))
		return -1;
	if (!(dfa->classes = pc_dfa_word(a, b, at, PC_DFA_CLASSES)))
		return -1;
	if (!(dfa->transitions = pc_dfa_word(a, b, at, PC_DFA_TRANSITIONS)))
		return -1;
	if (!(dfa->accepts = pc_dfa_word(a, b, at, PC_DFA_ACCEPTS)))
		return -1;
	*start = pc_dfa_word(a, b, at, PC_DFA_START);
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
	__u32 class;
	if (walk->copied) {
		class = walk->classes->bytes[(walk->class_at & 63) + byte];
	} else {
		__u32 word = pc_word(walk->image, walk->dfa.classes + byte / 4);
		class = (word >> ((byte & 3) * 8)) & 0xff;
	}
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

/* Line k of the class table into pc_class_scratch (bpf_loop, with the walk: verified once, not per line). */
static long pc_class_copy_step(__u32 k, struct pc_walk *walk)
{
	if (k >= PC_CLASS_LINES)
		return 1;
	struct pc_image_line *line = pc_line(walk->image, walk->dfa.classes / PC_LINE_WORDS + k);
	if (!line || bpf_probe_read_kernel(&walk->classes->bytes[k * sizeof(*line)], sizeof(*line), line)) {
		walk->copied = 0;
		return 1;
	}
	return 0;
}

/*
 * For a walk of more than PC_CLASS_COPY_MIN bytes, the DFA's classes are
 * copied into pc_class_scratch first: about as many lookups as that saves.
 */
#define PC_CLASS_COPY_MIN 16

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
	if (pc_dfa_read(image, dfa_at, &walk.dfa, &walk.state) || walk.state == PC_DFA_DEAD)
		return 0;
	__u32 zero = 0;
	walk.classes = bpf_map_lookup_elem(&pc_class_scratch, &zero);
	if (!walk.classes)
		return 0; /* cannot happen, like a transition that cannot be read */
	/* Words before the table's start in its line come first: it starts that many bytes in. */
	walk.class_at = (walk.dfa.classes % PC_LINE_WORDS) * 4;
	walk.copied = length > start + PC_CLASS_COPY_MIN;
	if (walk.copied)
		bpf_loop(PC_CLASS_LINES, pc_class_copy_step, &walk, 0);
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
