/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pc_rules.h: turning an exec rule accept list into one action and the rule
 * that decided it, with the rules' conditions: the subject the caller must be
 * (PC_RULE_CALLER) and the arguments the new program must have (PC_RULE_ARGS).
 */
#ifndef PC_RULES_H
#define PC_RULES_H

#include "pc_image.h"
#include "pc_subjects.h"
#include "pc_uids.h"
#include "pc_excepts.h"

/* What to make of a rule's argument condition. */
enum pc_args_mode {
	PC_ARGS_SKIP = 0,  /* not decidable yet (the exec hook): the rule is left for sched_process_exec */
	PC_ARGS_MET = 1,   /* an executable mapping outside an exec: counts as met (fail closed) */
	PC_ARGS_CHECK = 2, /* once the exec completed: only rules with one, met when `args` has its subject */
};

struct pc_exec_when {
	__u32 mode;
	pc_subject_set caller; /* the calling task's subjects (uid and exceptions applied) */
	pc_subject_set args;   /* PC_ARGS_CHECK: the subjects the new program's arguments make it */
};

/* Room for one struct pc_exec_when off the stack (sched_process_exec keeps one across calls). */
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_exec_when);
} pc_when_scratch SEC(".maps");

static __always_inline int pc_set_has(const __u32 *set, __u32 id)
{
	return (set[(id / 32) & (PC_SUBJECT_WORDS - 1)] >> (id & 31)) & 1;
}

/* The subjects the current task is when it acts: its record, then its uid, then exceptions. */
static __always_inline void pc_subjects_acting(void *image, __u32 *set)
{
	pc_subjects_current(image, set);
	pc_subjects_for_uid(image, set);
	pc_subjects_except(image, set);
}

/* Prepares `when` for `mode`. */
static __always_inline void pc_exec_when_init(void *image, __u32 mode, struct pc_exec_when *when)
{
	when->mode = mode;
	for (int i = 0; i < PC_SUBJECT_WORDS; i++) {
		when->caller[i] = 0;
		when->args[i] = 0;
	}
	if (pc_word(image, PC_HDR_EXEC_CONDITIONS) & PC_EXEC_HAS_CALLER)
		pc_subjects_acting(image, when->caller);
}

/*
 * The per-CPU struct pc_exec_when prepared for `mode`, or NULL (cannot happen);
 * the caller's subjects only when some exec rule has a caller condition. Off
 * the stack: the verifier's budget is 512 bytes for a whole chain of calls.
 */
static __always_inline struct pc_exec_when *pc_exec_when_get(void *image, __u32 mode)
{
	__u32 zero = 0;
	struct pc_exec_when *when = bpf_map_lookup_elem(&pc_when_scratch, &zero);
	if (when)
		pc_exec_when_init(image, mode, when);
	return when;
}

/* Whether the conditions of the rule record at `at` hold under `when`. */
static __always_inline int pc_rule_applies(void *image, __u32 at, const struct pc_exec_when *when)
{
	__u32 caller = pc_word(image, at + PC_RULE_CALLER);
	__u32 args = pc_word(image, at + PC_RULE_ARGS);
	if (args) {
		if (when->mode == PC_ARGS_SKIP)
			return 0;
		if (when->mode == PC_ARGS_CHECK && !pc_set_has(when->args, args - 1))
			return 0;
	} else if (when->mode == PC_ARGS_CHECK) {
		return 0; /* decided by the exec hook already */
	}
	return !caller || pc_set_has(when->caller, caller - 1);
}

struct pc_rules_walk {
	void *image;
	__u32 list;
	__u32 rules;
	__u32 rule_count;
	__u32 action;
	__u32 decider;
	const struct pc_exec_when *when;
};

/* One entry of the accept list (bpf_loop: verified once, whatever the list's length). */
static long pc_rules_step(__u32 i, struct pc_rules_walk *walk)
{
	__u32 rule = pc_word(walk->image, walk->list + 1 + i);
	if (rule >= walk->rule_count)
		return 0;
	__u32 at = walk->rules + rule * PC_RULE_WORDS;
	__u32 a = pc_word(walk->image, at + PC_RULE_ACTION);
	if (a > walk->action && pc_rule_applies(walk->image, at, walk->when)) {
		walk->action = a;
		walk->decider = rule;
	}
	return 0;
}

/*
 * The strongest action among the rules of the accept list at `list` whose
 * conditions hold (deny > audit > none); `*decider` is the first rule with
 * that action. Lists are ordered strongest first, so the first PC_ACCEPT_MAX
 * entries decide.
 */
static __always_inline __u32 pc_rules_action(void *image, __u32 list, const struct pc_exec_when *when,
					     __u32 *decider)
{
	*decider = PC_RULE_NONE;
	if (!list || !when)
		return PC_ACTION_NONE;
	struct pc_rules_walk walk = {
		.image = image,
		.list = list,
		.rules = pc_word(image, PC_HDR_RULES),
		.rule_count = pc_word(image, PC_HDR_RULE_COUNT),
		.action = PC_ACTION_NONE,
		.decider = PC_RULE_NONE,
		.when = when,
	};
	__u32 count = pc_word(image, list);
	bpf_loop(count < PC_ACCEPT_MAX ? count : PC_ACCEPT_MAX, pc_rules_step, &walk, 0);
	*decider = walk.decider;
	return walk.action;
}

#endif /* PC_RULES_H */
