/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pc_exec_paths.h: the exec-path DFAs of an image. When one product of every
 * exec path pattern would pass the compiler's state cap, they are split into
 * up to PC_EXEC_DFA_MAX DFAs (PC_HDR_EXEC_DFA, then PC_HDR_EXEC_DFA_MORE); a
 * path is walked through each (a bpf_loop over the DFAs, each walk a bpf_loop
 * over the bytes: verified once), so an exec costs one walk per DFA, linear in
 * the path's length, and the rules are decided on every DFA's accept list.
 */
#ifndef PC_EXEC_PATHS_H
#define PC_EXEC_PATHS_H

#include "pc_dfa.h"

/* The exec-path DFA number k (0: the first), or 0 when there is none. */
static __always_inline __u32 pc_exec_dfa(void *image, __u32 k)
{
	return pc_word(image, k ? PC_HDR_EXEC_DFA_MORE + ((k - 1) & (PC_EXEC_DFA_MAX - 1)) : PC_HDR_EXEC_DFA);
}

struct pc_exec_paths_walk {
	void *image;
	const char *text;
	__u32 length;
	__u32 alive; /* some DFA was not dead at the end of the text */
	__u32 lists[PC_EXEC_DFA_MAX];
};

static long pc_exec_paths_step(__u32 k, struct pc_exec_paths_walk *walk)
{
	if (k >= PC_EXEC_DFA_MAX)
		return 1;
	__u32 dfa = pc_exec_dfa(walk->image, k);
	if (!dfa)
		return 1; /* the last one was before */
	__u32 state;
	walk->lists[k & (PC_EXEC_DFA_MAX - 1)] = pc_dfa_walk(walk->image, dfa, walk->text, 0, walk->length, &state);
	if (state != PC_DFA_DEAD)
		walk->alive = 1;
	return 0;
}

/*
 * Walks bytes [0, length) of `text` (a PC_PATH_MAX buffer) through each
 * exec-path DFA of `image`: lists[k] gets DFA k's accept list (0: none, or no
 * such DFA), for k < PC_EXEC_DFA_MAX. Returns whether some DFA is still alive
 * at the end (a text cut there may still match).
 */
static __always_inline int pc_exec_paths_accepts(void *image, const char *text, __u32 length, __u32 *lists)
{
	struct pc_exec_paths_walk walk = { .image = image, .text = text, .length = length };
	bpf_loop(PC_EXEC_DFA_MAX, pc_exec_paths_step, &walk, 0);
	for (int k = 0; k < PC_EXEC_DFA_MAX; k++)
		lists[k] = walk.lists[k];
	return walk.alive;
}

#endif /* PC_EXEC_PATHS_H */
