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

/* Prepares `when` for `mode`; the caller's subjects only when some exec rule has a caller condition. */
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
	if (!list)
		return PC_ACTION_NONE;
	__u32 rules = pc_word(image, PC_HDR_RULES);
	__u32 rule_count = pc_word(image, PC_HDR_RULE_COUNT);
	__u32 count = pc_word(image, list);
	__u32 action = PC_ACTION_NONE;
	for (__u32 i = 0; i < PC_ACCEPT_MAX && i < count; i++) {
		__u32 rule = pc_word(image, list + 1 + i);
		if (rule >= rule_count)
			continue;
		__u32 at = rules + rule * PC_RULE_WORDS;
		__u32 a = pc_word(image, at + PC_RULE_ACTION);
		if (a > action && pc_rule_applies(image, at, when)) {
			action = a;
			*decider = rule;
		}
	}
	return action;
}

#endif /* PC_RULES_H */
