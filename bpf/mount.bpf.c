// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * mount.bpf.c: mounting. sb_mount covers mount(2); move_mount covers the new
 * mount API (open_tree/fsmount + move_mount), which never reaches sb_mount.
 * The target is the host path of the mount point (pc_host_path.h), and its other
 * ones when its mount's root is mounted elsewhere too (pc_mount_aliases); the source is the
 * string given to mount(2), or for the new mount API the cloned tree's host
 * paths, judged the same way. A source that is relative or not canonical
 * ("//", "/./", "/../") could name anything, so it matches every source
 * condition (fail closed).
 */
#include "pc_kernel.h"
#include <bpf/bpf_tracing.h>
#include "pc_task_view.h"
#include "pc_subjects.h"
#include "pc_events.h"
#include "pc_host_walk.h"

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
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_mount_state);
} pc_mount_state_scratch SEC(".maps");

/* No other host paths: no rule met by one, every rule met by all. */
static __always_inline void pc_mount_aliases_none(struct pc_mount_aliases *out)
{
	out->unknown = 0;
	for (int i = 0; i < PC_SUBJECT_WORDS; i++) {
		out->any[i] = 0;
		out->all[i] = ~0u;
	}
}

/* Whether pc_mount_aliases did not judge for this generation (then the path counts as unreadable); resets it. */
static __always_inline int pc_mount_aliases_unknown(struct pc_mount_aliases *out, void *image)
{
	int unknown = !out->ready || out->generation != pc_generation(image) || out->unknown;
	out->ready = 0;
	return unknown;
}

/* pass = no-condition rules | the rules whose DFA at `dfa` accepts text[0, length) (all rules: match_all). */
static __always_inline void pc_mount_pass(void *image, __u32 dfa, __u32 none_at, const char *text, __u32 length,
					  int match_all, __u32 *pass)
{
	pc_set_read(image, none_at, pass);
	if (dfa) {
		if (match_all) {
			for (int i = 0; i < PC_SUBJECT_WORDS; i++)
				pass[i] = ~0u;
		} else {
			pc_subjects_add(image, pc_dfa_accepts(image, dfa, text, 0, length), pass);
		}
	} else {
		for (int i = 0; i < PC_SUBJECT_WORDS; i++)
			pass[i] = ~0u;
	}
}

/* st->candidates &= (no-condition rules | the rules whose DFA at `dfa` accepts text[0, length)). */
static __always_inline void pc_mount_condition(void *image, __u32 dfa, __u32 none_at, const char *text, __u32 length,
					       int match_all, struct pc_mount_state *st)
{
	__u32 *pass = st->scratch, *set = st->candidates;
	pc_mount_pass(image, dfa, none_at, text, length, match_all, pass);
	for (int i = 0; i < PC_SUBJECT_WORDS; i++)
		set[i] &= pass[i];
}

struct pc_canonical_scan {
	const char *text;
	__u32 length;
	int canonical;
};

/* One byte of the source: "//" and "/." make it non-canonical (or a hidden name: fail closed). */
static long pc_canonical_step(__u32 i, void *ctx)
{
	struct pc_canonical_scan *scan = ctx;
	if (i + 1 >= scan->length || i + 1 >= PC_PATH_MAX)
		return 1;
	if (scan->text[i & (PC_PATH_MAX - 1)] == '/') {
		char next = scan->text[(i + 1) & (PC_PATH_MAX - 1)];
		if (next == '/' || next == '.') {
			scan->canonical = 0;
			return 1;
		}
	}
	return 0;
}

/* What the loop callback gets (on the stack: pointers cannot be kept in a map). */
struct pc_mount_pick {
	void *image;
	struct pc_mount_state *st;
};

/*
 * Mount rule m. Pass 0: a candidate whose subject the task cannot be stops
 * being one, and a matching `allow` rule whose subject the task certainly is
 * silences its policy's mount rules, unless the mount could not be read whole
 * (the new mount API, an unreadable target, a non-canonical source): what
 * matched by failing closed, or by an unknown condition, grants nothing.
 * Pass 1: of the candidates not silenced, keep the strongest action.
 */
static long pc_mount_pick_step(__u32 m, void *ctx)
{
	struct pc_mount_pick *ref = ctx;
	struct pc_mount_state *pick = ref->st;
	void *image = ref->image;
	if (m >= pick->count || m >= PC_MOUNT_RULE_MAX)
		return 1;
	__u32 word = (m / 32) & (PC_SUBJECT_WORDS - 1), bit = 1u << (m % 32);
	if (!(pick->candidates[word] & bit))
		return 0;
	__u32 at = pick->table + m * PC_MOUNT_RULE_WORDS;
	if (pick->pass == 0) {
		__u32 subject = pc_word(image, at + 1);
		__u32 s_word = (subject / 32) & (PC_SUBJECT_WORDS - 1), s_bit = 1u << (subject % 32);
		if (!(pick->subjects.possible[s_word] & s_bit)) {
			pick->candidates[word] &= ~bit;
			return 0;
		}
		__u32 silences = pc_word(image, at + 2);
		if (!silences || pick->uncertain ||
		    !(pick->target_aliases.all[word] & pick->source_aliases.all[word] & bit))
			return 0;
		if (pick->subjects.certain[s_word] & s_bit)
			pc_subjects_add(image, silences, pick->silenced);
		else
			pick->doubt = 1;
		return 0;
	}
	if (pick->silenced[word] & bit)
		return 0;
	__u32 rule = pc_word(image, at);
	__u32 a = pc_word(image, pick->rules + rule * PC_RULE_WORDS + PC_RULE_ACTION);
	if (a > pick->action) {
		pick->action = a;
		pick->decider = rule;
		if (pc_subject_in_doubt(&pick->subjects, pc_word(image, at + 1) & (PC_SUBJECT_MAX - 1)))
			pick->doubt = 1;
	}
	return 0;
}

/* Flag f: when the mount lacks it, the rules that require it stop being candidates (bpf_loop: verified once). */
static long pc_mount_flag_step(__u32 f, void *ctx)
{
	struct pc_mount_pick *ref = ctx;
	struct pc_mount_state *st = ref->st;
	if (f >= PC_MOUNT_FLAG_COUNT)
		return 1;
	if (st->flags & pc_mount_flag_bit(f))
		return 0;
	__u32 *required = st->scratch;
	pc_set_read(ref->image, st->flag_sets + f * PC_SUBJECT_WORDS, required);
	for (int i = 0; i < PC_SUBJECT_WORDS; i++)
		st->candidates[i] &= ~required[i];
	return 0;
}

static __always_inline int pc_source_is_canonical(const char *text, __u32 length)
{
	if (!length || text[0] != '/')
		return 0;
	struct pc_canonical_scan scan = { .text = text, .length = length, .canonical = 1 };
	bpf_loop(PC_PATH_MAX, pc_canonical_step, &scan, 0);
	return scan.canonical;
}

/* Whether the active image has mount rules. */
static __always_inline int pc_mount_rules(void)
{
	void *image = pc_image_get();
	return image && pc_word(image, PC_HDR_MOUNT);
}

/* How pc_mount_decide gets the source: mount(2)'s string, or what the new mount API's caller read. */
#define PC_SOURCE_GIVEN 0      /* mount(2): `dev_name` */
#define PC_SOURCE_UNREADABLE 1 /* move_mount: it could not be read; it matches every source condition */
#define PC_SOURCE_READ 2       /* move_mount: in buf->source already; its length is the rest of the word */

/*
 * `source`: PC_SOURCE_GIVEN, PC_SOURCE_UNREADABLE, or PC_SOURCE_READ + its
 * length (the new mount API, move_mount, whose type is `type`).
 */
static __noinline int pc_mount_decide(const char *dev_name, const struct path *target, const char *type,
					   unsigned long flags, __u32 source)
{
	int detached = source != PC_SOURCE_GIVEN;
	__u32 source_length = source >= PC_SOURCE_READ ? source - PC_SOURCE_READ : 0;
	void *image = pc_image_get();
	if (!image)
		return 0;
	__u32 mount = pc_word(image, PC_HDR_MOUNT);
	if (!mount)
		return 0;
	__u32 zero = 0;
	struct pc_path_buf *path = bpf_map_lookup_elem(&pc_path_scratch, &zero);
	struct pc_mount_buf *buf = bpf_map_lookup_elem(&pc_mount_scratch, &zero);
	struct pc_mount_state *st = bpf_map_lookup_elem(&pc_mount_state_scratch, &zero);
	if (!path || !buf || !st)
		return -EPERM;
	st->hook = detached ? PC_HOOK_MOVE_MOUNT : PC_HOOK_MOUNT;

	/*
	 * The target's host path (pc_host_path.h), whatever the caller's root and
	 * mount namespace; its other ones were judged already (pc_mount_aliases),
	 * by this generation's rules, or it counts as unreadable. So were a new-API
	 * source's; mount(2)'s source is one string.
	 */
	int alias_unknown = pc_mount_aliases_unknown(&st->target_aliases, image);
	if (detached) {
		if (pc_mount_aliases_unknown(&st->source_aliases, image))
			source = PC_SOURCE_UNREADABLE;
	} else {
		pc_mount_aliases_none(&st->source_aliases);
	}
	long n = pc_host_path(target->dentry, 0);
	int unreadable = n == PC_HOST_UNREADABLE || (n < 0 && n != PC_HOST_NONE) || alias_unknown;
	__u32 target_length = n > 0 ? PC_HOST_LENGTH(n) : 0;
	if (n == PC_HOST_NONE)
		path->data[0] = 0; /* not on the host: no target pattern names it */
	/* mount(2)'s source is a string: one that is not an absolute, canonical path could name anything. */
	int source_unknown = 0;
	if (!detached) {
		long s = dev_name ? bpf_probe_read_kernel_str(buf->source, sizeof(buf->source), dev_name) : 0;
		source_length = s > 0 ? (__u32)s - 1 : 0;
		source_unknown = s > 0 && !pc_source_is_canonical(buf->source, source_length);
	} else {
		source_unknown = source == PC_SOURCE_UNREADABLE;
	}
	long t = type ? bpf_probe_read_kernel_str(buf->fstype, sizeof(buf->fstype), type) : 0;
	__u32 fstype_length = t > 0 ? (__u32)t - 1 : 0;
	if (t <= 0)
		buf->fstype[0] = 0;

	st->table = pc_word(image, mount + PC_MOUNT_RULES);
	st->count = pc_word(image, mount + PC_MOUNT_RULE_COUNT);
	st->rules = pc_word(image, PC_HDR_RULES);
	st->action = PC_ACTION_NONE;
	st->decider = PC_RULE_NONE;
	st->pass = 0;
	__u32 *candidates = st->candidates;
	for (int i = 0; i < PC_SUBJECT_WORDS; i++)
		candidates[i] = ~0u;
	__u32 any = pc_word(image, mount + PC_MOUNT_ANY);
	st->target_length = target_length;
	st->target_unknown = unreadable;
	st->source_length = source_length;
	st->source_unknown = source_unknown;
	st->fstype_length = fstype_length;
	st->fstype_unknown = detached && t <= 0;
	asm volatile("" ::: "memory"); /* each condition reads them back from the map */
	/* A rule that one of the target's host paths meets is a candidate; one that all meet may silence. */
	pc_mount_pass(image, pc_word(image, mount + PC_MOUNT_TARGET_DFA), any, path->data, st->target_length,
		      st->target_unknown, st->scratch);
	for (int i = 0; i < PC_SUBJECT_WORDS; i++) {
		candidates[i] &= st->scratch[i] | st->target_aliases.any[i];
		st->target_aliases.all[i] &= st->scratch[i];
	}
	/* Likewise the source's. */
	pc_mount_pass(image, pc_word(image, mount + PC_MOUNT_SOURCE_DFA), any ? any + PC_SUBJECT_WORDS : 0, buf->source,
		      st->source_length, st->source_unknown, st->scratch);
	for (int i = 0; i < PC_SUBJECT_WORDS; i++) {
		candidates[i] &= st->scratch[i] | st->source_aliases.any[i];
		st->source_aliases.all[i] &= st->scratch[i];
	}
	pc_mount_condition(image, pc_word(image, mount + PC_MOUNT_FSTYPE_DFA),
			   pc_word(image, mount + PC_MOUNT_NO_FSTYPE), buf->fstype, st->fstype_length, st->fstype_unknown,
			   st);
	st->flag_sets = pc_word(image, mount + PC_MOUNT_FLAG_SETS);
	/* A move brings a mount of any kind to the target, a bind mount among them: it meets `bind` too. */
	st->flags = (flags & PC_MS_MOVE) ? flags | PC_MS_BIND : flags;
	struct pc_mount_pick flag_ref = { .image = image, .st = st };
	bpf_loop(PC_MOUNT_FLAG_COUNT, pc_mount_flag_step, &flag_ref, 0);

	/* Among the matching mount rules whose subject the task is, the strongest action. */
	pc_subjects_acting(&st->subjects, pc_generation(image), 1);
	st->doubt = 0;
	for (int i = 0; i < PC_SUBJECT_WORDS; i++)
		st->silenced[i] = 0;
	st->uncertain = st->target_unknown || st->source_unknown || st->fstype_unknown;
	struct pc_mount_pick pick = { .image = image, .st = st };
	bpf_loop(PC_MOUNT_RULE_MAX, pc_mount_pick_step, &pick, 0);
	st->pass = 1;
	bpf_loop(PC_MOUNT_RULE_MAX, pc_mount_pick_step, &pick, 0);
	__u32 action = st->action, decider = st->decider;
	if (action == PC_ACTION_NONE)
		return 0;
	struct pc_event *e = pc_event_start(image, PC_HOOK_MOUNT, action, decider);
	if (e) {
		/* From the state map: `detached` live until here doubled what the verifier walks on 6.1. */
		e->hook = st->hook;
		e->mount_flags = flags;
		pc_event_path_written(e, bpf_probe_read_kernel_str(e->path, sizeof(e->path), path->data));
		bpf_probe_read_kernel_str(e->source, sizeof(e->source), buf->source);
		bpf_probe_read_kernel_str(e->fstype, sizeof(e->fstype), buf->fstype);
		e->flags = (st->target_unknown ? PC_EVENT_PATH_UNREADABLE : 0) | (st->doubt ? PC_EVENT_CONDITION_UNKNOWN : 0);
		pc_event_send(e);
	}
	return action == PC_ACTION_DENY ? -EPERM : 0;
}

/* What pc_mount_alias_step works with (on the stack of pc_mount_aliases). */
struct pc_mount_alias_walk {
	void *image;
	struct pc_mount_state *st;
	struct pc_mount_aliases *out;
	struct pc_path_buf *path;
	struct dentry *dentry;
	__u32 dfa;  /* the target's or the source's DFA */
	__u32 none; /* the rules with no such condition */
};

/*
 * Other host path i + 1 of the dentry, when it has that many: its passing
 * rules into out->any and out->all (bpf_loop: verified once).
 */
static long pc_mount_alias_step(__u32 i, struct pc_mount_alias_walk *w)
{
	struct pc_mount_state *st = w->st;
	struct pc_mount_aliases *out = w->out;
	__u32 k = i + 1;
	long a = pc_host_path(w->dentry, k);
	if (a == PC_HOST_UNREADABLE || (a < 0 && a != PC_HOST_NONE)) {
		out->unknown = 1;
		return 1;
	}
	if (a <= 0)
		return 1; /* not on the host: no other host path either */
	__u32 aliases = PC_HOST_ALIASES(a);
	if (aliases > PC_HOST_ALIASES_MAX) {
		out->unknown = 1; /* more than the table stores: which the caller meant cannot be told */
		return 1;
	}
	if (k > aliases || k > PC_HOST_ALIASES_MAX)
		return 1; /* that was the first host path again: no k-th other one */
	st->target_length = PC_HOST_LENGTH(a);
	asm volatile("" ::: "memory");
	pc_mount_pass(w->image, w->dfa, w->none, w->path->data, st->target_length, 0, st->alias_pass);
	for (int j = 0; j < PC_SUBJECT_WORDS; j++) {
		out->any[j] |= st->alias_pass[j];
		out->all[j] &= st->alias_pass[j];
	}
	return 0;
}

/*
 * The other host paths of a mount's target (`source` 0) or of a new-API
 * mount's source tree (1), when the mount its walk ends at is mounted
 * elsewhere too, judged into st->target_aliases or st->source_aliases for
 * pc_mount_decide, which runs next and judges the first. A frame of its own,
 * called by the program, not by pc_mount_decide: 6.1's 512-byte budget
 * covers the longest call chain.
 */
static __noinline int pc_mount_aliases(const struct path *p, int source)
{
	__u32 zero = 0;
	void *image = pc_image_get();
	struct pc_path_buf *path = bpf_map_lookup_elem(&pc_path_scratch, &zero);
	struct pc_mount_state *st = bpf_map_lookup_elem(&pc_mount_state_scratch, &zero);
	if (!image || !path || !st)
		return 0;
	struct pc_mount_aliases *out = source ? &st->source_aliases : &st->target_aliases;
	__u32 mount = pc_word(image, PC_HDR_MOUNT);
	out->ready = 0;
	if (!mount)
		return 0;
	pc_mount_aliases_none(out);
	__u32 any = pc_word(image, mount + PC_MOUNT_ANY);
	struct pc_mount_alias_walk w = {
		.image = image,
		.st = st,
		.out = out,
		.path = path,
		.dentry = p->dentry,
		.dfa = pc_word(image, mount + (source ? PC_MOUNT_SOURCE_DFA : PC_MOUNT_TARGET_DFA)),
		.none = source ? (any ? any + PC_SUBJECT_WORDS : 0) : any,
	};
	bpf_loop(PC_HOST_ALIASES_MAX, pc_mount_alias_step, &w, 0);
	out->generation = pc_generation(image);
	out->ready = 1;
	return 0;
}

SEC("lsm/sb_mount")
int BPF_PROG(pc_mount, const char *dev_name, const struct path *path, const char *type, unsigned long flags,
	     void *data, int ret)
{
	if (ret)
		return pc_verdict(ret);
	if (!pc_mount_rules())
		return 0;
	pc_subjects_refresh();
	pc_mount_aliases(path, 0);
	return pc_verdict(pc_mount_decide(dev_name, path, type, flags, PC_SOURCE_GIVEN));
}

/*
 * The new mount API attaches a detached tree (a clone from open_tree, or a new
 * filesystem from fsmount) with move_mount. The target is read as for
 * mount(2). The source is the tree's host paths when it is a clone of a
 * directory the host has (a bind; its other host paths judged like a
 * target's), else the source its filesystem was made
 * from (fsconfig's "source": "none", "/dev/sdb1"); the type is its
 * filesystem's; the flags are bind and move. A source that cannot be read
 * matches every source condition (fail closed).
 */
/*
 * Reads a new-API mount's source into buf->source (a frame of its own, apart
 * from the program's: 6.1's 512-byte budget covers the longest call chain);
 * returns pc_mount_decide's `source` word.
 */
static __noinline __u32 pc_move_mount_source(const struct path *from)
{
	__u32 zero = 0;
	struct pc_path_buf *path = bpf_map_lookup_elem(&pc_path_scratch, &zero);
	struct pc_mount_buf *buf = bpf_map_lookup_elem(&pc_mount_scratch, &zero);
	if (!path || !buf)
		return PC_SOURCE_UNREADABLE;
	long n = pc_host_path(from->dentry, 0);
	int read = 0;
	__u32 length = 0;
	if (n > 0) {
		length = PC_HOST_LENGTH(n) & (PC_PATH_MAX - 1);
		read = !bpf_probe_read_kernel(buf->source, length, path->data);
	} else if (n == PC_HOST_NONE) {
		/* container_of(from->mnt, struct mount, mnt), as numbers: read, not dereferenced */
		__u64 vfs = 0, devname_at = 0;
		bpf_core_read(&vfs, sizeof(vfs), &from->mnt);
		struct mount *m = (struct mount *)(vfs - bpf_core_field_offset(struct mount, mnt));
		bpf_core_read(&devname_at, sizeof(devname_at), &m->mnt_devname);
		long s = devname_at ? bpf_probe_read_kernel_str(buf->source, sizeof(buf->source), (const char *)devname_at) : 0;
		read = s > 0;
		length = read ? (__u32)s - 1 : 0;
	}
	buf->source[length & (PC_PATH_MAX - 1)] = 0;
	return read ? PC_SOURCE_READ + length : PC_SOURCE_UNREADABLE;
}

SEC("lsm/move_mount")
int BPF_PROG(pc_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
	if (ret)
		return pc_verdict(ret);
	if (!pc_mount_rules())
		return 0;
	pc_subjects_refresh();
	__u32 source = pc_move_mount_source(from_path);
	pc_mount_aliases(from_path, 1);
	pc_mount_aliases(to_path, 0);
	struct dentry *root = from_path->dentry;
	const char *type = root ? BPF_CORE_READ(root, d_sb, s_type, name) : 0;
	return pc_verdict(pc_mount_decide(0, to_path, type, PC_MS_BIND | PC_MS_MOVE, source));
}
