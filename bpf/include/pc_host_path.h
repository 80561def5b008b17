/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pc_host_path.h: a file's path on the host (see "Host paths" in
 * portcullis_abi.h), independent of the caller's root and mount namespace:
 * from the file's dentry up to the root of a mount the host's mount table
 * lists (pc_host_mounts, kept by the daemon), so a chroot, a private mount
 * namespace, a bind mount, a detached tree or a lazily unmounted mount shows
 * the same file under the same path.
 *
 * The walk itself, pc_host_path, is in pc_host_walk.h.
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

/* The table's filter: a bit per key (see "Host paths" in portcullis_abi.h; defined in maps.bpf.c). */
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_host_filter);
} pc_host_filter SEC(".maps");

/* Where pc_host_path's last walk on this CPU ended (per-CPU; defined in maps.bpf.c). */
struct pc_host_found {
	struct pc_mount_root root; /* the table's key of the mount the walk ended at */
	__u32 mount_length;        /* the bytes of its mount point that begin the path */
	__u32 suffix_at;           /* the rest of the path: pc_text_scratch[suffix_at, PC_HOST_SUFFIX_MAX) */
	__u32 aliases;             /* how many other host paths that mount has (as pc_host_path returns) */
	__u32 pad;
};
PC_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_host_found);
} pc_host_found_scratch SEC(".maps");

/* The names below the mount are written backwards into pc_text_scratch, ending before this offset. */
#define PC_HOST_SUFFIX_MAX 2048

/* pc_host_path's results besides a length. */
#define PC_HOST_UNREADABLE (-1) /* too long, too deep, or a read failed: fail closed */
#define PC_HOST_NONE (-2)       /* on no filesystem the host has mounted: no host path */

/*
 * The device the kernel's tables key a file by (host mounts, file identities),
 * for the inode at address `inode` of a superblock whose device is `sb_dev`
 * and magic `magic` (pc_sb_magic): on btrfs its subvolume's, else `sb_dev`;
 * 0 when it cannot be read. pc_file_dev reads the superblock itself. Global
 * functions (host_path.bpf.c): verified once, and the caller's state does not
 * split on the filesystem.
 */
__u32 pc_inode_dev(__u64 inode, __u32 sb_dev, __u64 magic);
__u32 pc_file_dev(__u64 inode);

/* A superblock's magic when the programs have btrfs's types (it then matters), else 0: no branch. */
static __always_inline __u64 pc_sb_magic(struct super_block *sb)
{
	return bpf_core_type_exists(struct btrfs_inode___pc) ? BPF_CORE_READ(sb, s_magic) : 0;
}

#define PC_HOST_ALIASES_SHIFT 16
/* The length of a path pc_host_path returned (n > 0). */
#define PC_HOST_LENGTH(n) ((__u32)(n) & ((1u << PC_HOST_ALIASES_SHIFT) - 1))
/* How many other host paths it has (n > 0): up to PC_HOST_ALIASES_MAX, more: not stored. */
#define PC_HOST_ALIASES(n) ((__u32)(n) >> PC_HOST_ALIASES_SHIFT)

#endif /* PC_HOST_PATH_H */
