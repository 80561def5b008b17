/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* pc_inodes.h: finding a file among the exec rules' file identities. */
#ifndef PC_INODES_H
#define PC_INODES_H

#include "pc_kernel.h"
#include "pc_image.h"
#include "pc_host_path.h" /* pc_file_dev */
#include <bpf/bpf_core_read.h>

struct pc_inode_probe {
	void *image;
	__u32 table, mask, slot, dev;
	__u64 ino;
	__u32 accepts;
};

/* Probe i of the open-addressing sequence (bpf_loop: verified once, not once per probe). */
static long pc_inode_step(__u32 i, struct pc_inode_probe *p)
{
	__u32 at = p->table + ((p->slot + i) & p->mask) * PC_INODE_ENTRY_WORDS;
	struct pc_image_line *line = pc_line(p->image, at / PC_LINE_WORDS);
	if (!line)
		return 1;
	__u32 *entry = &line->w[at & (PC_LINE_WORDS - PC_INODE_ENTRY_WORDS)];
	if (!entry[3])
		return 1; /* an empty slot ends the probe sequence */
	if (entry[0] == p->dev && entry[1] == (__u32)p->ino && entry[2] == (__u32)(p->ino >> 32)) {
		p->accepts = entry[3];
		return 1;
	}
	return 0;
}

/* The accept list of the exec rules naming `file` by identity, or 0. */
static __always_inline __u32 pc_inode_accepts(void *image, struct file *file)
{
	struct pc_image_line *header = pc_line(image, 0); /* the table's offset and mask, in one lookup */
	__u32 table = header ? header->w[PC_HDR_EXEC_INODES] : 0;
	if (!table || !file)
		return 0;
	/* Loads through the hook's typed pointers, not helper calls. */
	struct inode *inode = file->f_inode;
	struct super_block *sb = inode ? inode->i_sb : 0;
	if (!inode || !sb)
		return 0;
	struct pc_inode_probe p = {
		.image = image,
		.table = table,
		.mask = header->w[PC_HDR_EXEC_INODE_MASK],
		.ino = inode->i_ino,
	};
	if (bpf_core_type_exists(struct btrfs_inode___pc)) {
		/* A global function takes the inode's address as a number: read, not cast (a cast stays a pointer). */
		__u64 address = 0;
		bpf_core_read(&address, sizeof(address), &file->f_inode);
		p.dev = pc_file_dev(address);
	} else {
		p.dev = sb->s_dev;
	}
	p.slot = pc_inode_hash(p.dev, p.ino);
	bpf_loop(PC_INODE_PROBES, pc_inode_step, &p, 0);
	return p.accepts;
}

#endif /* PC_INODES_H */
