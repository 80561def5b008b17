// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* exec_aliases.bpf.c: the exec DFA at a file's other host paths (pc_exec_aliases.h). */
#include "pc_kernel.h"
#include "pc_dfa.h"
#include "pc_exec_paths.h"
#include "pc_host_path.h"
#include "pc_exec_aliases.h"

/*
 * Writes `prefix` (`length` bytes of a table entry's `path` from `start`) and
 * then the path below the mount (pc_text_scratch[suffix_at, PC_HOST_SUFFIX_MAX))
 * into `out`, NUL-terminated; returns the length, or -1.
 */
static __always_inline long pc_alias_path(struct pc_path_buf *out, const struct pc_mount_point *mount, __u32 start,
					  __u32 length, const struct pc_path_buf *text, __u32 suffix_at)
{
	if (start >= PC_MOUNT_POINT_MAX || length >= PC_MOUNT_POINT_MAX || suffix_at > PC_HOST_SUFFIX_MAX)
		return -1;
	/* Masked after a barrier: the compiler would drop a mask the checks above make redundant, the verifier needs it. */
	barrier_var(start);
	barrier_var(length);
	barrier_var(suffix_at);
	start &= PC_MOUNT_POINT_MAX - 1;
	length &= PC_MOUNT_POINT_MAX - 1;
	__u32 suffix = (PC_HOST_SUFFIX_MAX - suffix_at) & (PC_HOST_SUFFIX_MAX - 1);
	suffix_at &= PC_HOST_SUFFIX_MAX - 1;
	if (length && bpf_probe_read_kernel(out->data, length, mount->path + start))
		return -1;
	if (suffix && bpf_probe_read_kernel(out->data + length, suffix, text->data + suffix_at))
		return -1;
	__u32 total = length + suffix;
	if (!total) {
		out->data[0] = '/'; /* the root directory itself */
		total = 1;
	}
	out->data[total & (PC_PATH_MAX - 1)] = 0;
	return total;
}

/* What pc_alias_step works with (on the stack of pc_exec_alias_lists). */
struct pc_alias_walk {
	void *image;
	const struct pc_mount_point *mount;
	struct pc_path_buf *path;
	struct pc_path_buf *text;
	struct pc_alias_lists *out;
	__u32 suffix_at;
	__u32 aliases;
	__u32 length;     /* the current other host path's, in `path` */
	int unreadable;
};

/*
 * Step i: exec DFA d = i % PC_EXEC_DFA_MAX over other host path k = i /
 * PC_EXEC_DFA_MAX, which step d 0 writes to `path` (bpf_loop: verified once;
 * the byte walk's state on this frame, the deepest of the exec hook's chain).
 */
static long pc_alias_step(__u32 i, struct pc_alias_walk *a)
{
	__u32 k = i / PC_EXEC_DFA_MAX, d = i % PC_EXEC_DFA_MAX;
	if (k >= a->aliases || k >= PC_HOST_ALIASES_MAX)
		return 1;
	__u32 dfa = pc_exec_dfa(a->image, d);
	if (!dfa)
		return 0; /* this path's last DFA was before */
	if (d == 0) {
		const struct pc_mount_alias *alias = &a->mount->alias[k & (PC_HOST_ALIASES_MAX - 1)];
		long n = pc_alias_path(a->path, a->mount, alias->start, alias->length, a->text, a->suffix_at);
		if (n <= 0) {
			a->unreadable = 1;
			return 1;
		}
		a->length = (__u32)n;
	}
	a->out->lists[i & (PC_ALIAS_LISTS - 1)] = pc_dfa_accepts(a->image, dfa, a->path->data, 0, a->length);
	return 0;
}

__noinline int pc_exec_alias_lists(__u64 generation)
{
	__u32 zero = 0;
	struct pc_host_found *found = bpf_map_lookup_elem(&pc_host_found_scratch, &zero);
	struct pc_alias_walk a = {
		.out = bpf_map_lookup_elem(&pc_alias_scratch, &zero),
		.path = bpf_map_lookup_elem(&pc_path_scratch, &zero),
		.text = bpf_map_lookup_elem(&pc_text_scratch, &zero),
		.image = pc_image_get(),
	};
	if (!a.out || !found || !a.path || !a.text || !a.image || pc_generation(a.image) != generation)
		return PC_HOST_UNREADABLE;
	a.out->count = 0;
	for (int i = 0; i < PC_ALIAS_LISTS; i++)
		a.out->lists[i] = 0;
	/* The key straight from the map value: no copy on this frame. */
	a.mount = bpf_map_lookup_elem(&pc_host_mounts, &found->root);
	if (!a.mount)
		return PC_HOST_UNREADABLE;
	a.suffix_at = found->suffix_at;
	a.aliases = a.mount->aliases;
	/* The table changed since the walk (the daemon rewrote it): the other paths may not be these. */
	if (a.mount->length != found->mount_length || !a.aliases || a.aliases > PC_HOST_ALIASES_MAX)
		return PC_HOST_UNREADABLE;
	bpf_loop(PC_ALIAS_LISTS, pc_alias_step, &a, 0);
	if (a.unreadable || pc_alias_path(a.path, a.mount, 0, a.mount->length, a.text, a.suffix_at) <= 0)
		return PC_HOST_UNREADABLE;
	a.out->count = PC_ALIAS_LISTS;
	return 0;
}
