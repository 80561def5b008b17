// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * capable.bpf.c: the capability hook. O(1): one line of the capability table
 * and the task's subject set, ANDed word by word. A capability no rule names
 * is decided by one bit of pc_summary, before the image or the task is read.
 * A named one reads pc_summary once (the bit, and whether the task's view
 * may need refreshing) and the image's header line 0 once, for the table and
 * the subjects (pc_acting.h): the header, the capability's line, the task's
 * record.
 */
#include "pc_kernel.h"
#include <bpf/bpf_tracing.h>
#include "pc_task_view.h"
#include "pc_acting.h"
#include "pc_events.h"

/* security.h: a probe that must not be audited (e.g. has_capability_noaudit). */
#define CAP_OPT_NOAUDIT (1 << 1)

/* The index of the lowest bit set in `x` (not 0), without a branch: the bits below it, counted. */
static __always_inline __u32 pc_lowest_bit(__u32 x)
{
	__u32 below = (x & -x) - 1;
	below = below - ((below >> 1) & 0x55555555u);
	below = (below & 0x33333333u) + ((below >> 2) & 0x33333333u);
	below = (below + (below >> 4)) & 0x0f0f0f0fu;
	return (below * 0x01010101u) >> 24;
}

/* The first subject in both `a` (the table's deny or audit half) and `subjects`. */
static __always_inline __u32 pc_first_common(struct pc_image_line *entry, __u32 half, __u32 *subjects)
{
	for (__u32 i = 0; i < PC_SUBJECT_WORDS; i++) {
		__u32 both = entry->w[(half + i) & (PC_LINE_WORDS - 1)] & subjects[i];
		if (both)
			return i * 32 + pc_lowest_bit(both);
	}
	return 0;
}

/* Reports a decision on `cap`, naming the rule of the first subject that decided it. */
static __always_inline void pc_capable_report(void *image, __u32 caps, int cap, struct pc_image_line *entry,
					      __u32 *subjects, __u32 action, int doubt)
{
	__u32 half = action == PC_ACTION_DENY ? PC_CAP_DENY : PC_CAP_AUDIT;
	__u32 subject = pc_first_common(entry, half, subjects);
	__u32 rules_at = caps + PC_CAP_COUNT * PC_LINE_WORDS + (__u32)cap * PC_SUBJECT_MAX + subject;
	__u32 rule = pc_word(image, rules_at) - 1; /* stored + 1; 0 becomes PC_RULE_NONE */
	struct pc_event *e = pc_event_start(image, PC_HOOK_CAPABLE, action, rule);
	if (!e)
		return;
	e->capability = cap;
	e->flags = doubt ? PC_EVENT_CONDITION_UNKNOWN : 0;
	pc_event_send(e);
}

/* The capability's line of the table in the image whose header is `h`, when some rule names `cap`; else NULL. */
static __always_inline struct pc_image_line *pc_capable_entry(void *image, const struct pc_header *h, int cap)
{
	__u32 caps = pc_hdr(h, PC_HDR_CAPS);
	if (!caps || cap < 0 || cap >= PC_CAP_COUNT)
		return 0;
	struct pc_image_line *entry = pc_line(image, caps / PC_LINE_WORDS + cap);
	if (!entry)
		return 0;
	__u32 named = 0;
	for (int i = 0; i < PC_LINE_WORDS; i++)
		named |= entry->w[i];
	return named ? entry : 0;
}

/* Whether a rule may name `cap`, by pc_summary alone (a superset of the active image's; out of range: maybe). */
static __always_inline int pc_capable_maybe_named(const struct pc_summary *summary, int cap)
{
	if (!summary || cap < 0 || cap >= PC_CAP_COUNT)
		return 1;
	return (summary->capabilities >> cap) & 1;
}

/*
 * The decision on a capability some rule may name: a global function, so the
 * verifier walks it once, from its argument types, whatever paths led to it.
 */
__noinline int pc_capable_decide(int cap, unsigned int opts, int initial_userns)
{
	/* Bounded before anything else: 6.1's verifier tracks a spilled copy of a bounded value, not of an unknown one. */
	if (cap < 0 || cap >= PC_CAP_COUNT)
		return 0;
	void *image = pc_image_get();
	if (!image)
		return 0;
	struct pc_header h = pc_header_get(image); /* the table's offset and the subjects' words, in one lookup */
	struct pc_image_line *entry = pc_capable_entry(image, &h, cap);
	if (!entry)
		return 0;
	__u32 caps = pc_hdr(&h, PC_HDR_CAPS);
	struct pc_subjects subjects;
	pc_subjects_acting_in(image, &h, &subjects, initial_userns);
	/* A deny or an audit applies to the subjects the task possibly is; certainly, or not, says the event. */
	__u32 deny = 0, audit = 0, deny_certain = 0, audit_certain = 0;
	for (int i = 0; i < PC_SUBJECT_WORDS; i++) {
		deny |= entry->w[PC_CAP_DENY + i] & subjects.possible[i];
		audit |= entry->w[PC_CAP_AUDIT + i] & subjects.possible[i];
		deny_certain |= entry->w[PC_CAP_DENY + i] & subjects.certain[i];
		audit_certain |= entry->w[PC_CAP_AUDIT + i] & subjects.certain[i];
	}
	if (!deny && !audit)
		return 0;
	__u32 action = deny ? PC_ACTION_DENY : PC_ACTION_AUDIT;
	int doubt = deny ? !deny_certain : !audit_certain;
	if (!(opts & CAP_OPT_NOAUDIT))
		pc_capable_report(image, caps, cap, entry, doubt ? subjects.possible : subjects.certain, action, doubt);
	return action == PC_ACTION_DENY ? -EPERM : 0;
}

SEC("lsm/capable")
int BPF_PROG(pc_capable, const struct cred *cred, struct user_namespace *ns, int cap, unsigned int opts,
	     int ret)
{
	if (ret)
		return pc_verdict(ret);
	/* A capability no rule names (the common case) costs one inlined lookup; else the task's view is made current first. */
	struct pc_summary *summary = pc_summary_get();
	if (!pc_capable_maybe_named(summary, cap))
		return 0;
	pc_subjects_refresh_for(summary);
	/* The namespace the capability is checked against: the initial one has level 0. */
	int initial_userns = !ns || ns->level == 0;
	return pc_verdict(pc_capable_decide(cap, opts, initial_userns));
}
