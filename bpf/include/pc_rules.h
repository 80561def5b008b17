/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pc_rules.h: turning an exec rule accept list into one action and the rule
 * that decided it, with the rules' conditions: the subject the caller must be
 * (PC_RULE_CALLER), the arguments the new program must have (PC_RULE_ARGS),
 * and the content the executed file must have (PC_RULE_CONTENT).
 */
#ifndef PC_RULES_H
#define PC_RULES_H

#include "pc_image.h"
#include "pc_subjects.h"
#include "pc_task_view.h"

/* What to make of a rule's argument condition. */
enum pc_args_mode {
	PC_ARGS_SKIP = 0,  /* not decidable yet (the exec hook): the rule is left for sched_process_exec */
	PC_ARGS_MET = 1,   /* an executable mapping outside an exec: counts as met (fail closed) */
	PC_ARGS_CHECK = 2, /* once the exec completed: only rules with one, met when `args` has its subject */
	PC_ARGS_MAPPING = 3, /* an executable mapping: SKIP or MET by pc_mapping_args_mode, once a rule names the file */
};

struct pc_exec_when {
	__u32 mode;
	__u32 pad;
	struct pc_subjects caller; /* the calling task's subjects (uid and exceptions applied) */
	struct pc_subjects args;   /* PC_ARGS_CHECK: the subjects the new program's arguments make it */
	struct pc_subjects content; /* the content conditions the file's digest meets (pc_content.h); unknown until set */
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

/*
 * Before exec rules are decided: the caller's view made current (its cgroup
 * may have changed), when some exec rule has a condition on the caller; no
 * other exec decision reads the caller's subjects.
 */
static __always_inline void pc_refresh_for_callers(void *image)
{
	if (pc_word(image, PC_HDR_EXEC_CONDITIONS) & PC_EXEC_HAS_CALLER)
		pc_subjects_refresh();
}

/* Prepares `when` for `mode`. */
static __always_inline void pc_exec_when_init(void *image, __u32 mode, struct pc_exec_when *when)
{
	when->mode = mode;
	for (int i = 0; i < PC_SUBJECT_WORDS; i++) {
		when->caller.possible[i] = 0;
		when->caller.certain[i] = 0;
		when->args.possible[i] = 0;
		when->args.certain[i] = 0;
		when->content.possible[i] = ~0u; /* unknown: a deny may apply, an allow cannot */
		when->content.certain[i] = 0;
	}
	if (pc_word(image, PC_HDR_EXEC_CONDITIONS) & PC_EXEC_HAS_CALLER)
		pc_subjects_acting(&when->caller, pc_generation(image), 1);
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

/*
 * The state of one walk over accept lists. It lives in a per-CPU map, not on
 * the stack: the verifier then does not tell apart the values the loop
 * writes, and 6.12's, which follows bpf_loop callbacks until their states
 * converge, is not flooded with one state per combination of them.
 */
/* The most lists one decision is given, those with no rule included: a file's, and its other host paths'. */
#define PC_RULES_GIVEN_MAX 32

struct pc_rules_walk {
	__u32 phase; /* 0: the allow rules; 1: the others */
	__u32 rules;
	__u32 rule_count;
	__u32 n;     /* lists in use */
	__u32 action;
	__u32 decider;
	__u32 decider_doubt; /* the decider's caller or argument condition was possible, not certain */
	__u32 later_full;
	__u32 stride; /* the longest list's length: entry k of list l is step l * stride + k */
	__u32 overflow; /* more lists named rules than `lists` holds: fail closed */
	__u32 lists[PC_EXEC_LISTS_MAX]; /* the lists that name rules, in the order given */
	__u32 given[PC_RULES_GIVEN_MAX]; /* the lists given, some 0 (pc_exec_rules) */
	__u32 quiet[PC_QUIET_MAX]; /* policy + 1: a matching allow silences it */
	__u32 later[PC_QUIET_MAX]; /* policy + 1: its allow depends on the arguments */
	__u32 doubt[PC_QUIET_MAX]; /* policy + 1: an allow of it was withheld, its conditions unknown */
};

PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_rules_walk);
} pc_walk_scratch SEC(".maps");

/* What the loop callback gets (on the stack: pointers cannot be kept in a map). */
struct pc_rules_ref {
	void *image;
	const struct pc_exec_when *when;
	struct pc_rules_walk *walk;
};

static __always_inline int pc_policy_in(const __u32 *set, __u32 policy)
{
	for (int i = 0; i < PC_QUIET_MAX; i++)
		if (set[i] == policy + 1)
			return 1;
	return 0;
}

/* Adds `policy`; 0 when the set is full (the caller then fails closed). */
static __always_inline int pc_policy_add(__u32 *set, __u32 policy)
{
	for (int i = 0; i < PC_QUIET_MAX; i++) {
		if (set[i] == policy + 1)
			return 1;
		if (!set[i]) {
			set[i] = policy + 1;
			return 1;
		}
	}
	return 0;
}

/*
 * Entry k of list l (i = l * stride + k, stride the longest list's length); bpf_loop: verified once.
 * Phase 0, the `allow` rules with conditions (those without were carved out
 * at compile time): one whose conditions are known to hold silences its
 * policy; one whose conditions are unknown grants nothing, and its policy is
 * noted as decided on unknown input. One whose argument condition is not
 * known yet (the exec hook) makes its policy wait: its rules are decided once
 * the exec completed; outside an exec (a mapping) it grants nothing. Phase 1:
 * the strongest deny or audit rule whose conditions hold or are unknown, of a
 * policy not silenced, and decidable now.
 */
static long pc_rules_step(__u32 i, struct pc_rules_ref *ref)
{
	struct pc_rules_walk *walk = ref->walk;
	__u32 stride = walk->stride;
	if (!stride)
		return 1;
	__u32 l = i / stride, k = i % stride;
	if (l >= walk->n || l >= PC_EXEC_LISTS_MAX)
		return 1;
	barrier_var(l); /* keep the mask below: 6.1's verifier does not bound the upper half of a 32-bit quotient */
	void *image = ref->image;
	__u32 list = walk->lists[l & (PC_EXEC_LISTS_MAX - 1)];
	if (!list || k >= pc_word(image, list))
		return 0;
	__u32 rule = pc_word(image, list + 1 + k);
	if (rule >= walk->rule_count)
		return 0;
	__u32 at = walk->rules + rule * PC_RULE_WORDS;
	__u32 a = pc_word(image, at + PC_RULE_ACTION);
	if (walk->phase ? a <= walk->action : a != PC_ACTION_NONE)
		return 0;
	const struct pc_exec_when *when = ref->when;
	__u32 caller = pc_word(image, at + PC_RULE_CALLER);
	__u32 args = pc_word(image, at + PC_RULE_ARGS);
	__u32 policy = pc_word(image, at + PC_RULE_POLICY);
	__u32 content = pc_word(image, at + PC_RULE_CONTENT);
	__u32 mode = when->mode;
	if (walk->phase == 0) {
		if ((caller && !pc_set_has(when->caller.certain, caller - 1)) ||
		    (content && !pc_set_has(when->content.certain, content - 1))) {
			if ((!caller || pc_set_has(when->caller.possible, caller - 1)) &&
			    (!content || pc_set_has(when->content.possible, content - 1)))
				pc_policy_add(walk->doubt, policy);
			return 0;
		}
		if (!args) {
			pc_policy_add(walk->quiet, policy);
		} else if (mode != PC_ARGS_MET) {
			if (!pc_policy_add(walk->later, policy))
				walk->later_full = 1;
			if (mode == PC_ARGS_CHECK) {
				if (pc_set_has(when->args.certain, args - 1))
					pc_policy_add(walk->quiet, policy);
				else if (pc_set_has(when->args.possible, args - 1))
					pc_policy_add(walk->doubt, policy);
			}
		}
		return 0;
	}
	if (caller && !pc_set_has(when->caller.possible, caller - 1))
		return 0;
	if (content && !pc_set_has(when->content.possible, content - 1))
		return 0;
	if (pc_policy_in(walk->quiet, policy))
		return 0;
	if (args) {
		if (mode == PC_ARGS_SKIP || (mode == PC_ARGS_CHECK && !pc_set_has(when->args.possible, args - 1)))
			return 0;
	} else if (mode == PC_ARGS_SKIP) {
		if (pc_policy_in(walk->later, policy))
			return 0; /* decided once the exec completed */
	} else if (mode == PC_ARGS_CHECK) {
		if (!walk->later_full && !pc_policy_in(walk->later, policy))
			return 0; /* decided by the exec hook */
	}
	walk->action = a;
	walk->decider = rule;
	walk->decider_doubt = (caller && !pc_set_has(when->caller.certain, caller - 1)) ||
			      (content && !pc_set_has(when->content.certain, content - 1)) ||
			      (args && mode == PC_ARGS_CHECK && !pc_set_has(when->args.certain, args - 1)) ||
			      pc_policy_in(walk->doubt, policy);
	return 0;
}

/* Given list i into `lists` when it names rules (bpf_loop: verified once, whatever the lists hold). */
static long pc_compact_step(__u32 i, struct pc_rules_ref *ref)
{
	struct pc_rules_walk *walk = ref->walk;
	if (i >= PC_RULES_GIVEN_MAX)
		return 1;
	__u32 list = walk->given[i & (PC_RULES_GIVEN_MAX - 1)];
	if (!list)
		return 0;
	__u32 n = walk->n;
	if (n >= PC_EXEC_LISTS_MAX) {
		walk->overflow = 1;
		return 1;
	}
	walk->lists[n & (PC_EXEC_LISTS_MAX - 1)] = list;
	walk->n = n + 1;
	return 0;
}

/* List l's length into the walk's stride when longer (bpf_loop: verified once, not once per list and state). */
static long pc_stride_step(__u32 l, struct pc_rules_ref *ref)
{
	struct pc_rules_walk *walk = ref->walk;
	if (l >= walk->n || l >= PC_EXEC_LISTS_MAX)
		return 1;
	__u32 list = walk->lists[l & (PC_EXEC_LISTS_MAX - 1)];
	__u32 count = list ? pc_word(ref->image, list) : 0;
	if (count > walk->stride)
		walk->stride = count;
	return 0;
}

/*
 * The strongest action among the rules of the accept lists lists[0..n) (n at
 * most PC_EXEC_LISTS_MAX), and others[0..others_n) (a file's other host
 * paths', pc_exec_aliases.h; others_n at most PC_RULES_GIVEN_MAX -
 * PC_EXEC_LISTS_MAX), whose
 * conditions hold or are unknown under `when` (deny > audit > none), the
 * policies silenced by their `allow` rules left out; `*decider` is the first
 * rule with that action, `*doubt` whether it was decided on unknown input.
 * Lists are ordered strongest first, so the first PC_ACCEPT_MAX
 * entries of each decide. Only the lists that name rules are walked; more of
 * them than PC_EXEC_LISTS_MAX cannot all be decided: deny (fail closed).
 */
static __always_inline __u32 pc_exec_rules(void *image, const __u32 *lists, __u32 n, const __u32 *others,
					   __u32 others_n, const struct pc_exec_when *when, __u32 *decider,
					   __u32 *doubt)
{
	*decider = PC_RULE_NONE;
	*doubt = 0;
	__u32 zero = 0;
	struct pc_rules_walk *walk = bpf_map_lookup_elem(&pc_walk_scratch, &zero);
	if (!when || !walk)
		return PC_ACTION_NONE;
	walk->phase = 0;
	walk->rules = pc_word(image, PC_HDR_RULES);
	walk->rule_count = pc_word(image, PC_HDR_RULE_COUNT);
	walk->action = PC_ACTION_NONE;
	walk->decider = PC_RULE_NONE;
	walk->decider_doubt = 0;
	walk->later_full = 0;
	for (int i = 0; i < PC_EXEC_LISTS_MAX; i++)
		walk->given[i] = i < n ? lists[i] : 0;
	for (int k = 0; k < PC_RULES_GIVEN_MAX - PC_EXEC_LISTS_MAX; k++)
		walk->given[PC_EXEC_LISTS_MAX + k] = others && k < others_n ? others[k] : 0;
	walk->n = 0;
	walk->overflow = 0;
	struct pc_rules_ref ref = { .image = image, .when = when, .walk = walk };
	bpf_loop(others ? PC_RULES_GIVEN_MAX : PC_EXEC_LISTS_MAX, pc_compact_step, &ref, 0);
	if (walk->overflow) {
		*doubt = 1;
		return PC_ACTION_DENY;
	}
	for (int i = 0; i < PC_QUIET_MAX; i++) {
		walk->quiet[i] = 0;
		walk->later[i] = 0;
		walk->doubt[i] = 0;
	}
	/* Entry k of list l is step l * stride + k: as many steps as the lists need, not PC_ACCEPT_MAX each. */
	walk->stride = 0;
	bpf_loop(PC_EXEC_LISTS_MAX, pc_stride_step, &ref, 0);
	__u32 stride = walk->stride;
	if (stride > PC_ACCEPT_MAX)
		stride = PC_ACCEPT_MAX;
	walk->stride = stride;
	__u32 steps = walk->n * stride;
	if (pc_word(image, PC_HDR_EXEC_CONDITIONS) & PC_EXEC_HAS_ALLOW)
		bpf_loop(steps, pc_rules_step, &ref, 0);
	walk->phase = 1;
	bpf_loop(steps, pc_rules_step, &ref, 0);
	*decider = walk->decider;
	*doubt = walk->decider_doubt;
	return walk->action;
}

#endif /* PC_RULES_H */
