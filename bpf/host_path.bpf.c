// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * host_path.bpf.c: the device a file is keyed by on btrfs, its subvolume's
 * (pc_host_path.h): global functions, verified once.
 */
#include "pc_kernel.h"
#include <bpf/bpf_core_read.h>
#include "pc_host_path.h"

__noinline __u32 pc_inode_dev(__u64 inode, __u32 sb_dev, __u64 magic)
{
	if (!bpf_core_type_exists(struct btrfs_inode___pc) || magic != PC_BTRFS_SUPER_MAGIC)
		return sb_dev;
	struct btrfs_inode___pc *subvolume_inode =
		(void *)inode - bpf_core_field_offset(struct btrfs_inode___pc, vfs_inode);
	return BPF_CORE_READ(subvolume_inode, root, anon_dev);
}

__noinline __u32 pc_file_dev(__u64 inode)
{
	struct super_block *sb = BPF_CORE_READ((struct inode *)inode, i_sb);
	return pc_inode_dev(inode, BPF_CORE_READ(sb, s_dev), pc_sb_magic(sb));
}
