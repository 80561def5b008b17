/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* pc_inodes.h: finding a file among the exec rules' file identities. */
#ifndef PC_INODES_H
#define PC_INODES_H

#include "pc_kernel.h"
#include "pc_image.h"
#include <bpf/bpf_core_read.h>

/* The accept list of the exec rules naming `file` by identity, or 0. */
static __always_inline __u32 pc_inode_accepts(void *image, struct file *file)
{
	__u32 table = pc_word(image, PC_HDR_EXEC_INODES);
	if (!table || !file)
		return 0;
	__u32 mask = pc_word(image, PC_HDR_EXEC_INODE_MASK);
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	if (!inode)
		return 0;
	__u64 ino = BPF_CORE_READ(inode, i_ino);
	__u32 dev = BPF_CORE_READ(inode, i_sb, s_dev);
	__u32 slot = pc_inode_hash(dev, ino);
	for (__u32 probe = 0; probe < PC_INODE_PROBES; probe++) {
		__u32 at = table + ((slot + probe) & mask) * PC_INODE_ENTRY_WORDS;
		struct pc_image_line *line = pc_line(image, at / PC_LINE_WORDS);
		if (!line)
			return 0;
		__u32 *entry = &line->w[at & (PC_LINE_WORDS - PC_INODE_ENTRY_WORDS)];
		if (!entry[3])
			return 0; /* an empty slot ends the probe sequence */
		if (entry[0] == dev && entry[1] == (__u32)ino && entry[2] == (__u32)(ino >> 32))
			return entry[3];
	}
	return 0;
}

#endif /* PC_INODES_H */
