/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* pc_rules.h: turning a DFA's accept list into one action and the rule that decided it. */
#ifndef PC_RULES_H
#define PC_RULES_H

#include "pc_image.h"

/*
 * The strongest action among the rules of the accept list at `list` (deny >
 * audit > none); `*decider` is the first rule with that action. Lists are
 * ordered strongest first, so the first PC_ACCEPT_MAX entries decide.
 */
static __always_inline __u32 pc_rules_action(void *image, __u32 list, __u32 *decider)
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
		__u32 a = pc_word(image, rules + rule * PC_RULE_WORDS + PC_RULE_ACTION);
		if (a > action) {
			action = a;
			*decider = rule;
		}
	}
	return action;
}

#endif /* PC_RULES_H */
