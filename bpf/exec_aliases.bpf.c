// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* exec_aliases.bpf.c: the exec DFA at a file's other host paths (pc_exec_aliases.h). */
#include "pc_kernel.h"
#include "pc_dfa.h"
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

/* The exec DFA's accept list for `length` bytes of `path`: a frame of its own, for the walk's state. */
static __noinline __u32 pc_alias_accepts(void *image, __u32 dfa, struct pc_path_buf *path, __u32 length)
{
	return pc_dfa_accepts(image, dfa, path->data, 0, length);
}

__noinline int pc_exec_alias_lists(__u64 generation)
{
	__u32 zero = 0;
	struct pc_alias_lists *lists = bpf_map_lookup_elem(&pc_alias_scratch, &zero);
	struct pc_host_found *found = bpf_map_lookup_elem(&pc_host_found_scratch, &zero);
	struct pc_path_buf *path = bpf_map_lookup_elem(&pc_path_scratch, &zero);
	struct pc_path_buf *text = bpf_map_lookup_elem(&pc_text_scratch, &zero);
	void *image = pc_image_get();
	if (!lists || !found || !path || !text || !image || pc_generation(image) != generation)
		return PC_HOST_UNREADABLE;
	/* The key straight from the map value: no copy on this frame, the deepest on the exec hook's chain. */
	const struct pc_mount_point *mount = bpf_map_lookup_elem(&pc_host_mounts, &found->root);
	__u32 suffix_at = found->suffix_at, aliases = mount ? mount->aliases : 0;
	/* The table changed since the walk (the daemon rewrote it): the other paths may not be these. */
	if (!mount || mount->length != found->mount_length || !aliases || aliases > PC_HOST_ALIASES_MAX)
		return PC_HOST_UNREADABLE;
	__u32 dfa = pc_word(image, PC_HDR_EXEC_DFA);
	/*
	 * A bounded loop, not a bpf_loop (one stack frame less on the exec hook's
	 * call chain: 512 bytes in all), and not unrolled (one DFA walk's state on
	 * this frame, not one per alias).
	 */
#pragma clang loop unroll(disable)
	for (__u32 k = 0; k < PC_HOST_ALIASES_MAX; k++) {
		if (k >= aliases)
			break;
		const struct pc_mount_alias *alias = &mount->alias[k & (PC_HOST_ALIASES_MAX - 1)];
		long n = pc_alias_path(path, mount, alias->start, alias->length, text, suffix_at);
		if (n <= 0)
			return PC_HOST_UNREADABLE;
		lists->lists[k & (PC_HOST_ALIASES_MAX - 1)] = pc_alias_accepts(image, dfa, path, (__u32)n);
	}
	return pc_alias_path(path, mount, 0, mount->length, text, suffix_at) > 0 ? 0 : PC_HOST_UNREADABLE;
}
