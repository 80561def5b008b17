/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* pc_events.h: reporting decisions through the ring buffer, rate-limited per rule. */
#ifndef PC_EVENTS_H
#define PC_EVENTS_H

#include "pc_image.h"

static __always_inline void pc_count(__u32 stat)
{
	__u64 *counter = bpf_map_lookup_elem(&pc_stats, &stat);
	if (counter)
		*counter += 1;
}

/* Counts one decision of `rule` (an index in the image's rule table) in pc_hits. */
static __always_inline void pc_hit(void *image, __u32 rule)
{
	if (rule == PC_RULE_NONE)
		return;
	__u32 at = pc_word(image, PC_HDR_RULES) + rule * PC_RULE_WORDS;
	__u64 key = (__u64)pc_word(image, at + PC_RULE_KEY_HI) << 32 | pc_word(image, at + PC_RULE_KEY_LO);
	__u64 *hits = bpf_map_lookup_elem(&pc_hits, &key);
	if (hits) {
		*hits += 1;
		return;
	}
	__u64 one = 1;
	bpf_map_update_elem(&pc_hits, &key, &one, BPF_NOEXIST);
}

/* Whether `rule` may report one more event now (a token bucket per rule and CPU). */
static __always_inline int pc_rate_allows(__u32 rule)
{
	__u32 slot = rule % PC_RATE_SLOTS;
	struct pc_rate *rate = bpf_map_lookup_elem(&pc_rates, &slot);
	if (!rate)
		return 1;
	__u64 now = bpf_ktime_get_ns();
	__u64 earned = (now - rate->last_ns) / (1000000000ull / PC_EVENT_RATE);
	if (earned) {
		rate->tokens += earned;
		if (rate->tokens > PC_EVENT_BURST)
			rate->tokens = PC_EVENT_BURST;
		rate->last_ns = now;
	}
	if (!rate->tokens) {
		pc_count(PC_STAT_DROPPED_RATE_LIMIT);
		return 0;
	}
	rate->tokens -= 1;
	return 1;
}

/* Fills what every event says: who acted, when, under which generation; the rest empty. */
static __always_inline void pc_event_init(struct pc_event *e, __u64 generation, __u32 hook, __u32 decision, __u32 rule)
{
	__u64 id = bpf_get_current_pid_tgid();
	e->generation = generation;
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->time_ns = bpf_ktime_get_ns();
	e->hook = hook;
	e->decision = decision;
	e->rule = rule;
	e->pid = (__u32)id;
	e->tgid = id >> 32;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->capability = 0;
	e->flags = 0;
	e->target = 0;
	e->detail = 0;
	e->mount_flags = 0;
	e->fstype[0] = 0;
	e->source[0] = 0;
	e->path_bytes = 1;
	e->path[0] = 0;
	e->exe[0] = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

/*
 * The CPU's space for an event to be sent: filled after anything the program
 * may sleep on (another task's program would reuse it meanwhile), sent with
 * pc_event_send. Whoever writes `path` sets `path_bytes` (its text and NUL).
 */
static __always_inline struct pc_event *pc_event_space(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&pc_event_scratch, &zero);
}

/* The bytes a string helper (bpf_d_path, bpf_probe_read_kernel_str) wrote into `path`, NUL included;
 * a failure (< 0) leaves the path empty (pc_event_send bounds it and ends it in its NUL). */
static __always_inline void pc_event_path_written(struct pc_event *e, long written)
{
	e->path_bytes = written > 0 ? written : 1;
}

/* Counts the decision; then an event with the subject filled in, or NULL when it
 * must not or cannot be sent. */
static __always_inline struct pc_event *pc_event_start(void *image, __u32 hook, __u32 decision, __u32 rule)
{
	pc_hit(image, rule);
	if (!pc_rate_allows(rule))
		return 0;
	struct pc_event *e = pc_event_space();
	if (!e)
		return 0;
	pc_event_init(e, pc_generation(image), hook, decision, rule);
	/* The executable as the task's record keeps it: the process may be gone before userspace reads /proc. */
	struct pc_task *task = bpf_task_storage_get(&pc_tasks, bpf_get_current_task_btf(), 0, 0);
	if (!task || (task->exe.flags & (PC_TEXT_KNOWN | PC_TEXT_CUT)) != PC_TEXT_KNOWN)
		return e;
	__u32 length = task->exe.length;
	if (length < PC_TASK_TEXT_MAX && !bpf_probe_read_kernel(e->exe, PC_TASK_TEXT_MAX, task->exe.data))
		e->exe[length & (PC_TASK_TEXT_MAX - 1)] = 0;
	else
		e->exe[0] = 0;
	return e;
}

/* Copies the event into the ring buffer up to the end of its path; counted as sent or dropped. */
static __always_inline void pc_event_send(struct pc_event *e)
{
	__u32 path_bytes = e->path_bytes;
	if (path_bytes < 1 || path_bytes > PC_EVENT_PATH_MAX)
		path_bytes = 1; /* an empty path */
	e->path[(path_bytes - 1) & (PC_EVENT_PATH_MAX - 1)] = 0; /* a record's path ends in its NUL */
	e->path_bytes = path_bytes;
	if (bpf_ringbuf_output(&pc_events, e, PC_EVENT_FIXED_BYTES + path_bytes, 0)) {
		pc_count(PC_STAT_DROPPED_RING_FULL);
		return;
	}
	pc_count(PC_STAT_EVENTS);
}

#endif /* PC_EVENTS_H */
