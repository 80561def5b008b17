// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * content.bpf.c: finding a file's digest among the exec rules' (pc_content_find,
 * shared by the exec and mapping hooks), and forgetting a kept digest (pc_content.h) when the file may
 * change: opened for writing (every write, mapping for writing, fallocate or
 * clone into it needs such an open) or truncated by name. A hook keeps a
 * digest only if the file had no writer when hashing began and none of these
 * came in meanwhile (struct pc_digest_cache), so any later change passes
 * through one of them first.
 */
#include "pc_kernel.h"
#include <bpf/bpf_tracing.h>
#include "pc_content.h"

__noinline int pc_content_find(__u64 generation)
{
	struct pc_digest *digest = pc_digest_get();
	if (!digest)
		return 0;
	digest->rules = 0;
	digest->conditions = PC_CONTENT_STALE;
	void *image = pc_image_get();
	if (!image || pc_generation(image) != generation)
		return 0;
	digest->conditions = PC_CONTENT_UNKNOWN;
	__u32 table = pc_word(image, PC_HDR_EXEC_DIGESTS);
	if (!table)
		return 0; /* no rule names content: nothing to meet */
	if (!digest->known) {
		digest->rules = pc_word(image, PC_HDR_EXEC_CONTENT_UNKNOWN);
		return 0;
	}
	digest->conditions = 0;
	struct pc_digest_probe p = {
		.image = image,
		.table = table,
		.mask = pc_word(image, PC_HDR_EXEC_DIGEST_MASK),
		.digest = (const __u32 *)digest->bytes,
	};
	p.slot = pc_digest_hash(p.digest[0]);
	bpf_loop(PC_DIGEST_PROBES, pc_digest_step, &p, 0);
	struct pc_digest_entry *entry = p.found ? (struct pc_digest_entry *)pc_line(image, p.found - 1) : 0;
	if (!entry)
		return 0;
	digest->rules = entry->rules;
	digest->conditions = entry->content;
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(pc_content_open, struct file *file, int ret)
{
	if (ret)
		return pc_verdict(ret);
	if (file->f_mode & FMODE_WRITE)
		pc_content_forget(file->f_inode);
	return 0;
}

SEC("lsm/path_truncate")
int BPF_PROG(pc_content_truncate, const struct path *path, int ret)
{
	if (ret)
		return pc_verdict(ret);
	struct dentry *dentry = path->dentry;
	if (dentry)
		pc_content_forget(dentry->d_inode);
	return 0;
}
