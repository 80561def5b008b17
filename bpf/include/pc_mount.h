/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* pc_mount.h: the state of one mount decision (mount.bpf.c), in a per-CPU map defined in maps.bpf.c. */
#ifndef PC_MOUNT_H
#define PC_MOUNT_H

#include "pc_image.h"
#include "pc_subjects.h"

typedef __u32 pc_rule_set[PC_SUBJECT_WORDS];

/*
 * A mount point's or a new-API source's other host paths (the mount its walk
 * ends at is mounted elsewhere too: up to PC_HOST_ALIASES_MAX), judged by
 * pc_mount_aliases before pc_mount_decide judges the first: the rules whose
 * condition one of them meets (a candidate, as one the first path meets) and
 * those every one meets (only they may silence, an `allow`, if the first path
 * meets them too).
 */
struct pc_mount_aliases {
	pc_rule_set any;
	pc_rule_set all;
	__u32 ready;      /* filled any and all, for ... */
	__u32 unknown;    /* an other host path could not be read, or there are more than stored: fail closed */
	__u64 generation; /* ... this generation's rules */
};

/*
 * One mount decision's state. It lives in a per-CPU map, not on the stack:
 * the verifier does not track what is written to a map value, so the sets
 * are one state whichever conditions and flags matched (on the stack, 6.1's
 * verifier walked the rest once per combination of them).
 */
struct pc_mount_state {
	__u32 table, count, rules;
	__u32 action, decider;
	__u32 pass;
	__u32 uncertain; /* the mount could not be read whole: no allow applies (fail closed) */
	__u32 doubt;     /* an allow was withheld, or the decider's subject was possible, not certain */
	__u32 flag_sets; /* offset of the sets of rules requiring each flag */
	/* What was read of the mount, kept here so that the verifier meets one state after each condition. */
	__u32 target_length, target_unknown;
	__u32 source_length, source_unknown;
	__u32 fstype_length, fstype_unknown;
	__u64 flags;     /* the mount's MS_* flags */
	__u32 hook;      /* PC_HOOK_MOUNT or PC_HOOK_MOVE_MOUNT, for the event: kept here, not live in a register */
	pc_rule_set candidates;
	struct pc_subjects subjects;
	pc_rule_set silenced;
	pc_rule_set scratch; /* one condition's passing rules, one flag's requiring rules */
	struct pc_mount_aliases target_aliases; /* the target's other host paths */
	struct pc_mount_aliases source_aliases; /* a new-API source's */
	pc_rule_set alias_pass;                 /* one other host path's */
};
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_mount_state);
} pc_mount_state_scratch SEC(".maps");

#endif /* PC_MOUNT_H */
