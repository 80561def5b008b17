/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pc_host_path.h: a file's path on the host (see "Host paths" in
 * portcullis_abi.h), independent of the caller's root and mount namespace.
 * A global function, defined in host_path.bpf.c: verified once per program.
 */
#ifndef PC_HOST_PATH_H
#define PC_HOST_PATH_H

#include "pc_image.h"
#include <bpf/bpf_core_read.h>

/* The host's mount table, kept by the daemon (defined in maps.bpf.c). */
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PC_HOST_MOUNTS_MAX);
	__type(key, struct pc_mount_root);
	__type(value, struct pc_mount_point);
} pc_host_mounts SEC(".maps");

/* pc_host_path's results besides a length. */
#define PC_HOST_UNREADABLE (-1) /* too long, too deep, or a read failed: fail closed */
#define PC_HOST_NONE (-2)       /* on no filesystem the host has mounted: no host path */

/*
 * Writes the host path of the dentry at address `dentry` (a struct dentry *,
 * passed as a number: a global function takes no kernel pointer; read it with
 * pc_dentry_of) to the
 * per-CPU pc_path_scratch, NUL-terminated, and returns its length; or
 * PC_HOST_UNREADABLE, or PC_HOST_NONE. Uses pc_text_scratch as it goes.
 * Linear in the path's length: one table lookup and one name per component.
 * `alias` 1: the path under the alias of the mount the walk ends at (see
 * "Host paths" in portcullis_abi.h) when it has one, the same path when it
 * has none, PC_HOST_UNREADABLE when it has more.
 */
int pc_host_path(__u64 dentry, __u32 alias);

/* The address of a path's dentry as a number (read, not cast: the verifier keeps a cast a pointer). */
static __always_inline __u64 pc_dentry_of(const struct path *path)
{
	__u64 dentry = 0;
	bpf_core_read(&dentry, sizeof(dentry), &path->dentry);
	return dentry;
}

#endif /* PC_HOST_PATH_H */
